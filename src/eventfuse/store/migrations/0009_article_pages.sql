-- 0009 article pages: what the article listing (`GET /api/articles`) filters, sorts and pages by
-- in SQL, so a page decodes only its own articles. `outlet_key` and `domain_key` (the outlet's
-- name and its URL's web domain, casefolded) answer the outlet filter by equality;
-- `search_text` (title, a space, the text, casefolded) answers the free-text filter as a
-- substring test (eventfuse.store.search). Filled as each article is written and, for the
-- articles stored before this migration, by the store right after it runs, in the same
-- transaction.
ALTER TABLE articles ADD COLUMN outlet_key TEXT;
ALTER TABLE articles ADD COLUMN domain_key TEXT;
ALTER TABLE articles ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
-- The listing's order: newest first, undated last, ties by id (highest first).
CREATE INDEX IF NOT EXISTS articles_newest ON articles ((published IS NULL), published DESC, id DESC);
CREATE INDEX IF NOT EXISTS articles_outlet_key ON articles (outlet_key);
CREATE INDEX IF NOT EXISTS articles_domain_key ON articles (domain_key);
