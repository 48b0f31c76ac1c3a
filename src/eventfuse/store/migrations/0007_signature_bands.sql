-- 0007 signature bands: the near-duplicate index's LSH bands of each stored MinHash signature
-- (eventfuse.ingest.bands), so a run looks up the candidate originals of its new articles by
-- band instead of rebuilding an index of every stored signature. `layout` names the banding
-- (permutations, bands x rows): other settings give other bands, filled when first used. Rows
-- are derived from article_signatures: the store fills those missing before each lookup.
CREATE TABLE signature_bands (
    layout TEXT NOT NULL,
    band INTEGER NOT NULL,
    band_key {blob} NOT NULL,
    article_id {key} NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (layout, band, band_key, article_id)
);
CREATE INDEX IF NOT EXISTS signature_bands_article ON signature_bands (article_id, layout);
