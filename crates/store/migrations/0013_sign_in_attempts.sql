-- Sign-in attempts, counted in the database so that every node of an
-- installation shares them, and counted before the password is checked,
-- in one statement, so that a parallel burst cannot slip past the limit.
-- `key` is `pair:<address>|<account>` or `address:<address>`; `prev_at`
-- is the attempt before the last, from which the wait is measured.

CREATE TABLE sign_in_attempts (
    "key" TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_at TEXT NOT NULL,
    prev_at TEXT
);
