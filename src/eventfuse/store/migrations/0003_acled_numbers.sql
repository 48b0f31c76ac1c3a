-- 0003 acled_numbers: the stable per-country number of each event in ACLED-style exports
-- (event_id_cnty = ISO3 + number), and when its exported row last changed (ACLED's timestamp).
CREATE TABLE acled_numbers (
    event_id TEXT PRIMARY KEY,
    iso3 TEXT NOT NULL,
    number INTEGER NOT NULL,
    row_digest TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (iso3, number)
);
