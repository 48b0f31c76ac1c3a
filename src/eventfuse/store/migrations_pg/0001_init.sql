-- 0001 init (PostgreSQL): the same tables, keys and indexes as migrations/0001_init.sql, so a
-- database moves between backends by name and version. Differences are PostgreSQL's own types:
-- bytea for signatures, DATE for dates, BOOLEAN for the disputed flag. Keys use the "C" collation
-- so ORDER BY id is code-point order, as in SQLite, whatever the database's locale.

CREATE TABLE articles (
    id TEXT COLLATE "C" PRIMARY KEY,
    url TEXT,
    outlet TEXT,
    title TEXT,
    published DATE,
    copy_of TEXT COLLATE "C",
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_url ON articles (url);
CREATE INDEX IF NOT EXISTS articles_outlet ON articles (outlet);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published);
CREATE INDEX IF NOT EXISTS articles_copy_of ON articles (copy_of);

-- MinHash signatures, kept so near-duplicate detection of new articles needs no re-hashing.
CREATE TABLE article_signatures (
    article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    signature BYTEA NOT NULL
);

-- An article is extracted once, even when extraction found no mention in it.
CREATE TABLE extracted (
    article_id TEXT COLLATE "C" PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE
);

CREATE TABLE mentions (
    id TEXT COLLATE "C" PRIMARY KEY,
    article_id TEXT COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- Position among its article's mentions as extraction returned them (reading order).
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mentions_article ON mentions (article_id, seq);
CREATE INDEX IF NOT EXISTS mentions_type ON mentions (type);

CREATE TABLE events (
    id TEXT COLLATE "C" PRIMARY KEY,
    type TEXT NOT NULL,
    date_start DATE,
    date_end DATE,
    country TEXT,
    disputed BOOLEAN NOT NULL DEFAULT FALSE,
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_type ON events (type);
CREATE INDEX IF NOT EXISTS events_date ON events (date_start, date_end);
CREATE INDEX IF NOT EXISTS events_country ON events (country);
CREATE INDEX IF NOT EXISTS events_disputed ON events (disputed);

-- A re-extracted article may drop a mention: its links go with it until fusion re-runs.
CREATE TABLE event_mentions (
    event_id TEXT COLLATE "C" NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    mention_id TEXT COLLATE "C" NOT NULL REFERENCES mentions (id) ON DELETE CASCADE,
    PRIMARY KEY (event_id, mention_id)
);
CREATE INDEX IF NOT EXISTS event_mentions_mention ON event_mentions (mention_id);
