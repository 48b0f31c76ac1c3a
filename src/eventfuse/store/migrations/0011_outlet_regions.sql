-- 0011 outlet regions: what rule outlet_home learns an outlet's home region from, kept for every
-- stored article (eventfuse.outlet_votes): one row per first-level region its mentions name
-- without doubt, with its outlet (its name, else its URL's host, as fusion keys it). A fusion
-- then counts an outlet's votes over the whole store, not over its own scope (a slice of a run,
-- an increment posted as news comes). put_mentions replaces an article's rows (keyed by the
-- article: storing its mentions again counts it once), revise_article drops them until it is
-- extracted again; so only extracted articles vote. Filled for the articles extracted before
-- this migration by the store right after it runs, in the same transaction.
CREATE TABLE article_regions (
    article_id {key} NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    outlet TEXT NOT NULL,
    country TEXT NOT NULL,
    admin1 TEXT NOT NULL,
    PRIMARY KEY (article_id, country, admin1)
);
CREATE INDEX IF NOT EXISTS article_regions_outlet ON article_regions (outlet, country, admin1);
