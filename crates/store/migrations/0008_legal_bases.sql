-- The legal catalogue: provisions the agency cites in sanctions, with the
-- fine ranges they allow and the days they are in force. Data the agency
-- extends; the first kind added through the one declaration per kind.

CREATE TABLE legal_bases (
    id @ID@,
    "key" TEXT NOT NULL UNIQUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    code TEXT NOT NULL,
    document TEXT NOT NULL,
    article TEXT NOT NULL,
    clause TEXT,
    point TEXT,
    title TEXT NOT NULL,
    field TEXT,
    fine_individual_min BIGINT,
    fine_individual_max BIGINT,
    fine_organisation_min BIGINT,
    fine_organisation_max BIGINT,
    valid_from TEXT,
    valid_to TEXT,
    note TEXT
);
