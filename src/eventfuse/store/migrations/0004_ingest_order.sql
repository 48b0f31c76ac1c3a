-- 0004 ingest order: the order articles were stored in decides, after publication time, which of
-- identical wire copies is the original, the same after a crash and a resumed run. SQLite keeps
-- that order already as the articles table's rowid (never renumbered: the store never VACUUMs),
-- so nothing changes here; the version exists so both backends share one migration history.
SELECT 1;
