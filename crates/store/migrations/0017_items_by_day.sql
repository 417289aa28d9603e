-- The item list in date order, newest first, a page at a time: an index
-- in that order within an agency (the id breaks ties) instead of sorting
-- every item of the agency.
CREATE INDEX media_items_by_day ON media_items (owner, published_on, id);
