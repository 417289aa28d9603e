-- An agency's own document layout (page, margins, type sizes), as JSON;
-- NULL keeps the defaults of Decree 30/2020/NĐ-CP.
ALTER TABLE agencies ADD COLUMN layout TEXT;
