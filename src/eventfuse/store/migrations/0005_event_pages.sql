-- 0005 event pages: what listings (`GET /api/events`, `eventfuse events`) filter, sort and page by
-- in SQL, so a page decodes only its own events. `independent_sources` sorts by sources;
-- `actor_text` (the actors' names, casefolded, one per line) and `search_text` (the event's
-- searchable text, casefolded) answer the actor and free-text filters as substring tests: both
-- are filled from each event as it is written (eventfuse.store.search), and for the events
-- stored before this migration by the store right after it runs, in the same transaction.
ALTER TABLE events ADD COLUMN independent_sources INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN actor_text TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
-- The listing orders: by date (undated last, then id) and by number of sources (most first,
-- then id).
CREATE INDEX IF NOT EXISTS events_by_date ON events ((date_start IS NULL), date_start, id);
CREATE INDEX IF NOT EXISTS events_by_sources ON events (independent_sources DESC, id);
-- SQLite: a trigram full-text index of both texts narrows a filter of three or more characters
-- to the events holding the needle's trigrams before the exact LIKE test (PostgreSQL runs the
-- LIKE alone). It indexes the events table's rows by rowid (never renumbered: the store never
-- VACUUMs) and triggers keep it current on every insert, upsert and delete.
{sqlite_only}CREATE VIRTUAL TABLE events_search USING fts5(actor_text, search_text, content='events', content_rowid='rowid', tokenize='trigram');
{sqlite_only}CREATE TRIGGER events_search_insert AFTER INSERT ON events BEGIN INSERT INTO events_search (rowid, actor_text, search_text) VALUES (new.rowid, new.actor_text, new.search_text); END;
{sqlite_only}CREATE TRIGGER events_search_delete AFTER DELETE ON events BEGIN INSERT INTO events_search (events_search, rowid, actor_text, search_text) VALUES ('delete', old.rowid, old.actor_text, old.search_text); END;
{sqlite_only}CREATE TRIGGER events_search_update AFTER UPDATE ON events BEGIN INSERT INTO events_search (events_search, rowid, actor_text, search_text) VALUES ('delete', old.rowid, old.actor_text, old.search_text); INSERT INTO events_search (rowid, actor_text, search_text) VALUES (new.rowid, new.actor_text, new.search_text); END;
{sqlite_only}INSERT INTO events_search (events_search) VALUES ('rebuild');
