-- 0003 acled_numbers (PostgreSQL): the same table as migrations/0003_acled_numbers.sql.
CREATE TABLE acled_numbers (
    event_id TEXT COLLATE "C" PRIMARY KEY,
    iso3 TEXT COLLATE "C" NOT NULL,
    number BIGINT NOT NULL,
    row_digest TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (iso3, number)
);
