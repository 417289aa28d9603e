-- Item counts per day, topic and outlet, kept by the store in the same
-- transaction as every media item change, so the report's figures stay
-- computed from the records yet cost the same for a thousand items or a
-- million. topic = '' holds the per-item totals (an item with two topics
-- counts once there). Only originals count; syndicated copies do not.

CREATE TABLE media_item_day_counts (
    day TEXT NOT NULL,
    topic TEXT NOT NULL,
    outlet TEXT NOT NULL,
    items BIGINT NOT NULL,
    featured BIGINT NOT NULL,
    PRIMARY KEY (day, topic, outlet)
);

INSERT INTO media_item_day_counts (day, topic, outlet, items, featured)
SELECT t.published_on, t.topic, t.outlet, COUNT(*), SUM(CASE WHEN m.featured THEN 1 ELSE 0 END)
FROM media_item_topics t JOIN media_items m ON m.id = t.item_id
WHERE t.original
GROUP BY t.published_on, t.topic, t.outlet;

INSERT INTO media_item_day_counts (day, topic, outlet, items, featured)
SELECT published_on, '', outlet, COUNT(*), SUM(CASE WHEN featured THEN 1 ELSE 0 END)
FROM media_items
WHERE duplicate_of IS NULL
GROUP BY published_on, outlet;
