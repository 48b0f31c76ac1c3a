-- 0001 init: articles, signatures, extraction markers, mentions, events and their links.
-- Portable SQL: TEXT/INTEGER columns, ON DELETE CASCADE, CREATE INDEX IF NOT EXISTS. The only
-- SQLite-specific type is BLOB (bytea in PostgreSQL). Dates are ISO 8601 text, which sorts and
-- compares correctly. Each record's full form is the `json` column; the others are for filters.

CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    url TEXT,
    outlet TEXT,
    title TEXT,
    published TEXT,
    copy_of TEXT,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_url ON articles (url);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles (outlet);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published);
CREATE INDEX IF NOT EXISTS articles_copy_of ON articles (copy_of);

-- MinHash signatures, kept so near-duplicate detection of new articles needs no re-hashing.
CREATE TABLE article_signatures (
    article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    signature BLOB NOT NULL
);

-- An article is extracted once, even when extraction found no mention in it.
CREATE TABLE extracted (
    article_id TEXT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE
);

CREATE TABLE mentions (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- Position among its article's mentions as extraction returned them (reading order).
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions (article_id, seq);
CREATE INDEX IF NOT EXISTS mentions_type ON mentions (type);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    date_start TEXT,
    date_end TEXT,
    country TEXT,
    disputed INTEGER NOT NULL DEFAULT 0,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_type ON events (type);
CREATE INDEX IF NOT EXISTS events_date ON events (date_start, date_end);
CREATE INDEX IF NOT EXISTS events_country ON events (country);
CREATE INDEX IF NOT EXISTS events_disputed ON events (disputed);

-- A re-extracted article may drop a mention: its links go with it until fusion re-runs.
CREATE TABLE event_mentions (
    event_id TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    mention_id TEXT NOT NULL REFERENCES mentions (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, mention_id)
);
CREATE INDEX IF NOT EXISTS event_mentions_mention ON event_mentions (mention_id);
