-- 0008 pending work: what the next run has to do, as short lists the store's own writes keep,
-- so a run (one POSTed article) finds it by key instead of an anti-join over every stored row.
-- `unextracted_articles`: the articles without an `extracted` mark (add_articles adds,
-- revise_article adds again, put_mentions removes). `unfused_mentions`: the mentions no event
-- links (put_mentions adds, put_events removes the ones it links and adds the ones it unlinks).
-- `unbanded_signatures`: signatures stored since their bands were last known complete
-- (add_articles and revise_article add, fill_signature_bands removes), and `band_layouts` the
-- layouts whose bands every other signature has. Filled here from the tables as they are.
CREATE TABLE unextracted_articles (
    article_id {key} PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE
);
INSERT INTO unextracted_articles (article_id)
    SELECT a.id FROM articles a
    WHERE NOT EXISTS (SELECT 1 FROM extracted x WHERE x.article_id = a.id);
CREATE TABLE unfused_mentions (
    mention_id {key} PRIMARY KEY REFERENCES mentions (id) ON DELETE CASCADE
);
INSERT INTO unfused_mentions (mention_id)
    SELECT m.id FROM mentions m
    WHERE NOT EXISTS (SELECT 1 FROM event_mentions l WHERE l.mention_id = m.id);
CREATE TABLE unbanded_signatures (
    article_id {key} PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE
);
-- Empty: a layout is listed when a fill has checked every signature for it.
CREATE TABLE band_layouts (
    layout TEXT PRIMARY KEY
);
