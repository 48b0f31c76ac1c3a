-- 0010 feed pages: what the Atom feed (`/feeds/events.atom`) pages by in SQL. One row per event
-- id: when its last change was recorded (the epoch when none was), so the feed reads the N most
-- recently changed events from an index instead of every event and every change. record_changes
-- raises `at` to the newest change of each event; put_events adds the epoch row of a new event.
-- Rows stay when an event is removed (as its changes do); the feed joins them to `events`.
CREATE TABLE event_updates (
    event_id {key} PRIMARY KEY,
    at TEXT NOT NULL
);
INSERT INTO event_updates (event_id, at)
    SELECT event_id, MAX(at) FROM changes GROUP BY event_id;
INSERT INTO event_updates (event_id, at)
    SELECT e.id, '1970-01-01T00:00:00+00:00' FROM events e
    WHERE NOT EXISTS (SELECT 1 FROM event_updates u WHERE u.event_id = e.id);
-- The feed's order: newest change first, ties by event id (highest first); keyset pages.
CREATE INDEX IF NOT EXISTS event_updates_newest ON event_updates (at DESC, event_id DESC);
