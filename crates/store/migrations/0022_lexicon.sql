-- An agency's own topic lexicon (a declared kind): the phrases the
-- collector classifies its items with, in place of the lexicon shipped with
-- the program once the agency has any.

CREATE TABLE lexicon_phrases (
    id @ID@,
    "key" TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    owner TEXT,
    topic TEXT NOT NULL,
    phrase TEXT NOT NULL,
    weight TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    UNIQUE (owner, "key")
);
CREATE UNIQUE INDEX lexicon_phrases_orphan_key ON lexicon_phrases ("key") WHERE owner IS NULL;
CREATE INDEX lexicon_phrases_key ON lexicon_phrases ("key");

-- @postgres
ALTER TABLE lexicon_phrases ENABLE ROW LEVEL SECURITY;
ALTER TABLE lexicon_phrases FORCE ROW LEVEL SECURITY;
CREATE POLICY lexicon_phrases_agency ON lexicon_phrases
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
-- @both
