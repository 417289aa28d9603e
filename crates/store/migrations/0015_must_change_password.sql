-- A generated password (the first administrator's, a new account's, a
-- reset's) must be replaced by the user's own at the next sign-in.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
