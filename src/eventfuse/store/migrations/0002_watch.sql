-- 0002 watch: live monitoring. The change feed of events, the HTTP state of every fetched URL
-- (conditional GET, feed entry `updated`), and earlier versions of revised articles. Times are
-- ISO 8601 UTC text in every backend, so `since` filters compare the same way.

-- One row per change of one event; kept after the event itself is removed (no foreign key).
CREATE TABLE changes (
    seq {serial_key},
    at TEXT NOT NULL,
    event_id {key} NOT NULL,
    kind TEXT NOT NULL,
    article_id {key},
    json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_at ON changes (at);
CREATE INDEX IF NOT EXISTS changes_event ON changes (event_id);

-- Keyed by the normalized URL: validators for conditional GET and what the URL last produced.
CREATE TABLE fetch_state (
    url {key} PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT,
    entry_updated TEXT,
    article_id {key},
    content_sha256 TEXT
);

-- The replaced versions of an article whose page or feed entry was updated.
CREATE TABLE article_revisions (
    article_id {key} NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revision INTEGER NOT NULL,
    replaced_at TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (article_id, revision)
);
