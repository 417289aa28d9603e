-- Checks whether removed content is really gone: one row per check, never
-- overwritten; `next_check_on` drives the dashboard's list of re-checks due.

CREATE TABLE takedown_checks (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    "case" TEXT NOT NULL REFERENCES cases ("key"),
    url TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    result TEXT NOT NULL,
    checked_by TEXT NOT NULL,
    next_check_on TEXT,
    evidence TEXT REFERENCES evidence ("key"),
    note TEXT
);
CREATE INDEX takedown_checks_due ON takedown_checks (next_check_on);
