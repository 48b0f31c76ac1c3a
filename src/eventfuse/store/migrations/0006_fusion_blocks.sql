-- 0006 fusion blocks: an incremental run reads only the stored mentions its new mentions can
-- pair with (fuse/scope.py): those of the same place block (`place_block`: "COUNTRY/admin1",
-- or "COUNTRY/*" for a mention placed no finer than its country) whose days (`span_start`,
-- `span_end`: ordinals, the lookback before publication for an undated report, NULL when
-- neither is known) come within the date window. Both are computed from each mention as it is
-- written (eventfuse.blocks), and for the mentions stored before this migration by the store
-- right after it runs, in the same transaction.
ALTER TABLE mentions ADD COLUMN place_block TEXT;
ALTER TABLE mentions ADD COLUMN span_start INTEGER;
ALTER TABLE mentions ADD COLUMN span_end INTEGER;
CREATE INDEX IF NOT EXISTS mentions_block ON mentions (place_block, span_start);
-- Spans longer than a month (a report dated to a month or a year) are few: their own index
-- finds those that reach a window, so the main one is read only from a month before it.
CREATE INDEX IF NOT EXISTS mentions_long_span ON mentions (place_block, span_start)
    WHERE span_end - span_start > 31;
