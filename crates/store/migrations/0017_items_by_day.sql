-- The item list in date order, newest first, a page at a time: an index
-- in that order (the id breaks ties) instead of sorting every item.
CREATE INDEX media_items_by_day ON media_items (published_on, id);
