-- Full-text search over media items. The search text of an item row is
-- the folded words of its title, summary and body, then the exact tokens of
-- its words written with diacritics (written by the program). On
-- PostgreSQL the database searches it itself, through a generated tsvector
-- and a GIN index; on SQLite an index beside the database (tantivy) does,
-- and nothing changes here.
-- @postgres
ALTER TABLE media_items ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', search)) STORED;
CREATE INDEX media_items_search_tsv ON media_items USING GIN (search_tsv);
-- @sqlite
SELECT 1;
-- @both
