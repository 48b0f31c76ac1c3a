-- 0002 watch (PostgreSQL): the same tables as migrations/0002_watch.sql. Times are ISO 8601
-- UTC text in both backends, so `since` filters compare the same way.

CREATE TABLE changes (
    seq BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    event_id TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    article_id TEXT COLLATE "C",
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_at ON changes (at);
CREATE INDEX IF NOT EXISTS changes_event ON changes (event_id);

CREATE TABLE fetch_state (
    url TEXT COLLATE "C" PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT,
    entry_updated TEXT,
    article_id TEXT COLLATE "C",
    content_sha256 TEXT
);

CREATE TABLE article_revisions (
    article_id TEXT COLLATE "C" NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revision INTEGER NOT NULL,
    replaced_at TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (article_id, revision)
);
