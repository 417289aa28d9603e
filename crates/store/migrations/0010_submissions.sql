-- Requests and submissions between agencies. A parent agency sends a
-- report request (`report_calls`) to its children (`report_call_targets`);
-- each target keeps the child's name on the request's date; each child
-- answers with submissions, one row per sending (`version`
-- counts them). A submission's manifest is the canonical JSON that was
-- hashed (and, from another installation, signed); files are kept by hash.
-- Agencies' Ed25519 keys: public keys (an agency's own, or registered by
-- its parent) in one table, readable by all; the secret of an agency that
-- signs here in another.

CREATE TABLE report_calls (
    id @ID@,
    owner TEXT NOT NULL REFERENCES agencies ("key"),
    owner_name TEXT NOT NULL,
    number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    subject TEXT NOT NULL,
    report_kind TEXT NOT NULL,
    period TEXT NOT NULL,
    deadline TEXT NOT NULL,
    sections TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (owner, number, issued_on)
);

CREATE TABLE report_call_targets (
    call_id BIGINT NOT NULL REFERENCES report_calls (id),
    agency TEXT NOT NULL REFERENCES agencies ("key"),
    name TEXT NOT NULL,
    PRIMARY KEY (call_id, agency)
);
CREATE INDEX report_call_targets_agency ON report_call_targets (agency);

CREATE TABLE submissions (
    id @ID@,
    call_id BIGINT NOT NULL REFERENCES report_calls (id),
    agency TEXT NOT NULL REFERENCES agencies ("key"),
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    manifest TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    public_key TEXT,
    signature TEXT,
    decided_at TEXT,
    decided_by TEXT,
    comment TEXT,
    UNIQUE (call_id, agency, version)
);
CREATE INDEX submissions_agency ON submissions (agency, call_id);

CREATE TABLE submission_files (
    submission_id BIGINT NOT NULL REFERENCES submissions (id),
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    content @BLOB@ NOT NULL,
    PRIMARY KEY (submission_id, name)
);

CREATE TABLE agency_keys (
    agency TEXT NOT NULL REFERENCES agencies ("key"),
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (agency, public_key)
);

-- The secret half, for an agency that signs on this installation.
CREATE TABLE agency_signing_keys (
    agency TEXT NOT NULL,
    public_key TEXT NOT NULL,
    secret_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (agency, public_key),
    FOREIGN KEY (agency, public_key) REFERENCES agency_keys (agency, public_key)
);
