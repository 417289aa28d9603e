-- The case workflow (canhgiac_domain::workflow): how a case came in, the
-- provision it falls under, who is in charge, and why its last move was
-- made. «Đề xuất xử lý» is no longer a status: a proposal is the evidence
-- collected, waiting for the decision.
ALTER TABLE cases ADD COLUMN origin TEXT;
ALTER TABLE cases ADD COLUMN legal_basis TEXT;
ALTER TABLE cases ADD COLUMN assignee TEXT;
ALTER TABLE cases ADD COLUMN status_reason TEXT;
UPDATE cases SET status = 'evidence_collected' WHERE status = 'proposed';
CREATE INDEX cases_assignee ON cases (owner, assignee);

-- What the people working on a case say to each other, kept with it.
CREATE TABLE case_comments (
    id @ID@,
    "key" TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    owner TEXT,
    "case" TEXT NOT NULL,
    author TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (owner, "key"),
    FOREIGN KEY (owner, "case") REFERENCES cases (owner, "key")
);
CREATE UNIQUE INDEX case_comments_orphan_key ON case_comments ("key") WHERE owner IS NULL;
CREATE INDEX case_comments_key ON case_comments ("key");
CREATE INDEX case_comments_case ON case_comments (owner, "case");

-- @postgres
ALTER TABLE case_comments ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_comments FORCE ROW LEVEL SECURITY;
CREATE POLICY case_comments_agency ON case_comments
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
-- @both
