-- Media monitoring: items carry the instant they were published (their day
-- stays the Vietnam-time day every count uses), the author and what went
-- wrong collecting them, and the lexicon's reading of their topics; an
-- item's original must exist (the store checks it on write, and refuses
-- to delete an original while copies name it: the index below). Sources
-- are an agency's feeds and listing pages, each for one outlet (its own or
-- a shared one, through `outlet_owner` as items do); their polling state
-- and health change on every fetch and are kept beside them, not audited.

ALTER TABLE media_items ADD COLUMN published_at TEXT;
ALTER TABLE media_items ADD COLUMN author TEXT;
ALTER TABLE media_items ADD COLUMN fetch_note TEXT;
ALTER TABLE media_items ADD COLUMN classification TEXT;
CREATE INDEX media_items_duplicate_of ON media_items (owner, duplicate_of);
-- The collector compares a new title with the outlet's items of the week around it.
CREATE INDEX media_items_outlet_day ON media_items (owner, outlet, published_on);
-- A link is one story whoever publishes it: the collector looks links up.
CREATE INDEX media_items_url ON media_items (owner, url);

CREATE TABLE sources (
    id @ID@,
    "key" TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    owner TEXT,
    outlet TEXT NOT NULL,
    outlet_owner TEXT,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    item_kind TEXT NOT NULL,
    link_selector TEXT,
    title_selector TEXT,
    date_selector TEXT,
    fetch_articles BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL,
    note TEXT,
    UNIQUE (owner, "key"),
    FOREIGN KEY (outlet_owner, outlet) REFERENCES outlets (owner, "key")
);
CREATE UNIQUE INDEX sources_orphan_key ON sources ("key") WHERE owner IS NULL;
CREATE INDEX sources_key ON sources ("key");
CREATE INDEX sources_outlet_owner ON sources (outlet_owner, outlet);

-- One row per source: its polling state as JSON (domain::SourceHealth),
-- and when it is next due, which the scheduler reads.
CREATE TABLE source_health (
    source_id BIGINT PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
    owner TEXT,
    state TEXT NOT NULL,
    next_due TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX source_health_due ON source_health (next_due);

-- @postgres
ALTER TABLE sources ENABLE ROW LEVEL SECURITY;
ALTER TABLE sources FORCE ROW LEVEL SECURITY;
CREATE POLICY sources_agency ON sources
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
ALTER TABLE source_health ENABLE ROW LEVEL SECURITY;
ALTER TABLE source_health FORCE ROW LEVEL SECURITY;
CREATE POLICY source_health_agency ON source_health
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
-- @both
