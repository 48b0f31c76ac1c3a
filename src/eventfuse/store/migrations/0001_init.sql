-- 0001 init: articles, signatures, extraction markers, mentions, events and their links.
-- One file for every backend; the dialect fills in the types in braces. SQLite: {key} is TEXT,
-- {date} ISO 8601 TEXT (sorts and compares correctly), {flag} INTEGER, {blob} BLOB. PostgreSQL:
-- {key} is TEXT COLLATE "C" (ORDER BY id is code-point order, as in SQLite, whatever the
-- database's locale), {date} DATE, {flag} BOOLEAN, {blob} bytea. Each record's full form is the
-- `json` column; the others are for filters.

CREATE TABLE articles (
    id {key} PRIMARY KEY,
    url TEXT,
    outlet TEXT,
    title TEXT,
    published {date},
    copy_of {key},
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_url ON articles (url);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles (outlet);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published);
CREATE INDEX IF NOT EXISTS articles_copy_of ON articles (copy_of);

-- MinHash signatures, kept so near-duplicate detection of new articles needs no re-hashing.
CREATE TABLE article_signatures (
    article_id {key} PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    signature {blob} NOT NULL
);

-- An article is extracted once, even when extraction found no mention in it.
CREATE TABLE extracted (
    article_id {key} PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE
);

CREATE TABLE mentions (
    id {key} PRIMARY KEY,
    article_id {key} NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- Position among its article's mentions as extraction returned them (reading order).
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions (article_id, seq);
CREATE INDEX IF NOT EXISTS mentions_type ON mentions (type);

CREATE TABLE events (
    id {key} PRIMARY KEY,
    type TEXT NOT NULL,
    date_start {date},
    date_end {date},
    country TEXT,
    disputed {flag} NOT NULL DEFAULT {false},
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_type ON events (type);
CREATE INDEX IF NOT EXISTS events_date ON events (date_start, date_end);
CREATE INDEX IF NOT EXISTS events_country ON events (country);
CREATE INDEX IF NOT EXISTS events_disputed ON events (disputed);

-- A re-extracted article may drop a mention: its links go with it until fusion re-runs.
CREATE TABLE event_mentions (
    event_id {key} NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    mention_id {key} NOT NULL REFERENCES mentions (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, mention_id)
);
CREATE INDEX IF NOT EXISTS event_mentions_mention ON event_mentions (mention_id);
