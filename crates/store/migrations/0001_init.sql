-- canhgiac schema, version 1.
-- One history for both engines. The runner replaces @ID@ with the engine's
-- identity column. Dates are ISO-8601 text (they sort as text), instants
-- RFC 3339 UTC text, nested values JSON text: the same SQL then runs on both.
-- Every record table has: id, "key" (the natural key, unique), version,
-- created_at, updated_at, search (folded text for diacritic-free search).

CREATE TABLE agencies (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL,
    names TEXT NOT NULL,
    signer TEXT NOT NULL,
    recipients TEXT NOT NULL,
    period_rule TEXT NOT NULL,
    heading_case TEXT NOT NULL,
    drafting_unit TEXT
);

CREATE TABLE users (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    username TEXT NOT NULL,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    email TEXT,
    active BOOLEAN NOT NULL
);

CREATE TABLE topics (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    ordinal BIGINT NOT NULL,
    description TEXT
);

CREATE TABLE outlets (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    parent TEXT REFERENCES outlets ("key"),
    website TEXT,
    feeds TEXT NOT NULL,
    active BOOLEAN NOT NULL
);

CREATE TABLE programmes (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL,
    outlet TEXT NOT NULL REFERENCES outlets ("key"),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    cadence TEXT,
    duration_minutes BIGINT,
    co_producer TEXT,
    topics TEXT NOT NULL,
    started_on TEXT,
    ended_on TEXT,
    note TEXT
);

CREATE TABLE media_items (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    outlet TEXT NOT NULL REFERENCES outlets ("key"),
    programme TEXT REFERENCES programmes ("key"),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT,
    published_on TEXT NOT NULL,
    topics TEXT NOT NULL,
    featured BOOLEAN NOT NULL,
    summary TEXT,
    body TEXT,
    duplicate_of TEXT,
    source TEXT NOT NULL
);
CREATE INDEX media_items_published ON media_items (published_on, featured, duplicate_of);
CREATE INDEX media_items_outlet ON media_items (outlet, published_on);

-- One row per (item, topic), with the item's day, outlet and whether it is
-- an original (not a syndicated copy): the report counts per topic, outlet
-- and month over a period from this table and its index alone. Kept by the
-- store, never written by hand.
CREATE TABLE media_item_topics (
    item_id BIGINT NOT NULL REFERENCES media_items (id) ON DELETE CASCADE,
    topic TEXT NOT NULL REFERENCES topics ("key"),
    published_on TEXT NOT NULL,
    outlet TEXT NOT NULL,
    original BOOLEAN NOT NULL,
    PRIMARY KEY (item_id, topic)
);
CREATE INDEX media_item_topics_period ON media_item_topics (published_on, topic, outlet, original);

CREATE TABLE directives (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    number TEXT,
    kind TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    title TEXT NOT NULL,
    issuer TEXT NOT NULL REFERENCES agencies ("key"),
    topics TEXT NOT NULL,
    recipients TEXT NOT NULL,
    note TEXT
);
CREATE INDEX directives_issued ON directives (issued_on);

CREATE TABLE report_requests (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    requester TEXT NOT NULL,
    subject TEXT NOT NULL,
    agency TEXT NOT NULL REFERENCES agencies ("key"),
    report_kind TEXT NOT NULL,
    period TEXT,
    deadline TEXT
);

CREATE TABLE plan_items (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    agency TEXT NOT NULL REFERENCES agencies ("key"),
    period TEXT NOT NULL,
    ordinal BIGINT NOT NULL,
    "text" TEXT NOT NULL,
    topics TEXT NOT NULL
);

CREATE TABLE cases (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    platform TEXT NOT NULL,
    account TEXT NOT NULL,
    account_url TEXT,
    urls TEXT NOT NULL,
    summary TEXT NOT NULL,
    category TEXT NOT NULL,
    source TEXT,
    coordinating TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    notable BOOLEAN NOT NULL,
    outcome TEXT
);
CREATE INDEX cases_status ON cases (status, opened_on);

CREATE TABLE evidence (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL,
    "case" TEXT NOT NULL REFERENCES cases ("key"),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    url TEXT,
    captured_at TEXT NOT NULL,
    captured_by TEXT NOT NULL,
    sha256 TEXT,
    stored_uri TEXT,
    item_count BIGINT
);

CREATE TABLE inspections (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    title TEXT NOT NULL,
    decision_number TEXT,
    lead TEXT NOT NULL,
    started_on TEXT NOT NULL,
    ended_on TEXT,
    findings TEXT
);

CREATE TABLE inspection_subjects (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    inspection TEXT NOT NULL REFERENCES inspections ("key"),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    address TEXT,
    violation_found BOOLEAN NOT NULL,
    findings TEXT
);

CREATE TABLE sanction_decisions (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_name TEXT NOT NULL,
    subject_account TEXT,
    violation TEXT NOT NULL,
    legal_basis TEXT,
    fine BIGINT NOT NULL CHECK (fine >= 0),
    remedies TEXT NOT NULL,
    issuer TEXT NOT NULL,
    issued_by_agency BOOLEAN NOT NULL,
    "case" TEXT REFERENCES cases ("key"),
    inspection TEXT REFERENCES inspections ("key")
);
CREATE INDEX sanction_decisions_issued ON sanction_decisions (issued_on);

-- The audit trail: one row per change, each chained to the one before by
-- SHA-256, so a removed or edited row breaks the chain.
CREATE TABLE audit_log (
    id @ID@,
    seq BIGINT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    origin TEXT NOT NULL,
    action TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_key TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    before TEXT,
    after TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_record ON audit_log (kind, record_id);
CREATE INDEX audit_log_at ON audit_log (at);

-- The head of the chain: one row. Writers update it inside their
-- transaction, which serialises them on both engines.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
