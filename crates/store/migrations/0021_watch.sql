-- Watch rules: an agency's keyword rules (a declared kind, audited like
-- every record), what they matched (the review queue: one row per rule and
-- item, gone with either), and the audit sequence number up to which items
-- have been matched (one row for the installation; the reader moves it in
-- the transaction that keeps its matches).

CREATE TABLE watch_rules (
    id @ID@,
    "key" TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    owner TEXT,
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    webhook TEXT,
    note TEXT,
    UNIQUE (owner, "key")
);
CREATE UNIQUE INDEX watch_rules_orphan_key ON watch_rules ("key") WHERE owner IS NULL;
CREATE INDEX watch_rules_key ON watch_rules ("key");

CREATE TABLE watch_hits (
    id @ID@,
    owner TEXT,
    rule_id BIGINT NOT NULL REFERENCES watch_rules (id) ON DELETE CASCADE,
    item_id BIGINT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
    found_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    case_key TEXT,
    reviewed_by TEXT,
    reviewed_at TEXT,
    UNIQUE (rule_id, item_id)
);
-- The queue, newest first within an agency and a status.
CREATE INDEX watch_hits_queue ON watch_hits (owner, status, id);
CREATE INDEX watch_hits_item ON watch_hits (item_id);

CREATE TABLE watch_mark (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

-- @postgres
ALTER TABLE watch_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE watch_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY watch_rules_agency ON watch_rules
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
ALTER TABLE watch_hits ENABLE ROW LEVEL SECURITY;
ALTER TABLE watch_hits FORCE ROW LEVEL SECURITY;
CREATE POLICY watch_hits_agency ON watch_hits
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
-- @both
