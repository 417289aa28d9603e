-- A media item's folded title (diacritics, case and spacing set aside):
-- what the collector's "same title from the same outlet within 7 days"
-- compares. The store keeps it on every write, so the check looks up the
-- titles it asks about instead of reading the outlet's whole fortnight.
-- Rows written before this have none until `canhgiac index rebuild`; the
-- check reads those as it did before.
ALTER TABLE media_items ADD COLUMN title_key TEXT;
CREATE INDEX media_items_title_key ON media_items (outlet, title_key, published_on);
