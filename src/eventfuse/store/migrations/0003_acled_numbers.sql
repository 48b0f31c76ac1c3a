-- 0003 acled_numbers: the stable per-country number of each event in ACLED-style exports
-- (event_id_cnty = ISO3 + number), and when its exported row last changed (ACLED's timestamp).
CREATE TABLE acled_numbers (
    event_id {key} PRIMARY KEY,
    iso3 {key} NOT NULL,
    number BIGINT NOT NULL,
    row_digest TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (iso3, number)
);
