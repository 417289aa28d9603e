-- Natural keys are unique per agency, not per installation: two agencies
-- may both track an outlet coded `bao-bac-giang` or number a directive
-- `12/KH-STTTT`, and one agency's keys reveal nothing to another (a
-- clash used to answer "already exists"). References between owned
-- records become composite, (owner, column) → (owner, "key"), so a record
-- can only refer within its agency. Agencies and users keep keys unique
-- in the installation (codes and sign-in names); shared kinds too.
-- SQLite cannot alter constraints: the runner rebuilds those tables in
-- this same transaction (schema::owner_keys_sqlite) after this script.
-- The day counts gain the owner, so two agencies' outlets of the same
-- code never add up.

-- @postgres
DO $$
DECLARE r record;
BEGIN
    FOR r IN
        SELECT c.conrelid::regclass::text AS tbl, c.conname
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = current_schema() AND c.contype = 'f'
          AND c.confrelid::regclass::text IN ('outlets', 'programmes', 'cases', 'evidence', 'inspections')
    LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.tbl, r.conname);
    END LOOP;
    FOR r IN
        SELECT c.conrelid::regclass::text AS tbl, c.conname
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE n.nspname = current_schema() AND c.contype = 'u' AND cardinality(c.conkey) = 1
          AND a.attname = 'key'
          AND c.conrelid::regclass::text IN ('outlets', 'programmes', 'media_items', 'directives',
              'report_requests', 'plan_items', 'cases', 'evidence', 'takedown_checks', 'inspections',
              'inspection_subjects', 'sanction_decisions')
    LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.tbl, r.conname);
    END LOOP;
END $$;
ALTER TABLE outlets ADD CONSTRAINT outlets_owner_key UNIQUE (owner, "key");
ALTER TABLE programmes ADD CONSTRAINT programmes_owner_key UNIQUE (owner, "key");
ALTER TABLE media_items ADD CONSTRAINT media_items_owner_key UNIQUE (owner, "key");
ALTER TABLE directives ADD CONSTRAINT directives_owner_key UNIQUE (owner, "key");
ALTER TABLE report_requests ADD CONSTRAINT report_requests_owner_key UNIQUE (owner, "key");
ALTER TABLE plan_items ADD CONSTRAINT plan_items_owner_key UNIQUE (owner, "key");
ALTER TABLE cases ADD CONSTRAINT cases_owner_key UNIQUE (owner, "key");
ALTER TABLE evidence ADD CONSTRAINT evidence_owner_key UNIQUE (owner, "key");
ALTER TABLE takedown_checks ADD CONSTRAINT takedown_checks_owner_key UNIQUE (owner, "key");
ALTER TABLE inspections ADD CONSTRAINT inspections_owner_key UNIQUE (owner, "key");
ALTER TABLE inspection_subjects ADD CONSTRAINT inspection_subjects_owner_key UNIQUE (owner, "key");
ALTER TABLE sanction_decisions ADD CONSTRAINT sanction_decisions_owner_key UNIQUE (owner, "key");
ALTER TABLE outlets ADD FOREIGN KEY (owner, parent) REFERENCES outlets (owner, "key");
ALTER TABLE programmes ADD FOREIGN KEY (owner, outlet) REFERENCES outlets (owner, "key");
ALTER TABLE media_items ADD FOREIGN KEY (owner, outlet) REFERENCES outlets (owner, "key");
ALTER TABLE media_items ADD FOREIGN KEY (owner, programme) REFERENCES programmes (owner, "key");
ALTER TABLE evidence ADD FOREIGN KEY (owner, "case") REFERENCES cases (owner, "key");
ALTER TABLE takedown_checks ADD FOREIGN KEY (owner, "case") REFERENCES cases (owner, "key");
ALTER TABLE takedown_checks ADD FOREIGN KEY (owner, evidence) REFERENCES evidence (owner, "key");
ALTER TABLE inspection_subjects ADD FOREIGN KEY (owner, inspection) REFERENCES inspections (owner, "key");
ALTER TABLE sanction_decisions ADD FOREIGN KEY (owner, "case") REFERENCES cases (owner, "key");
ALTER TABLE sanction_decisions ADD FOREIGN KEY (owner, inspection) REFERENCES inspections (owner, "key");
-- @both

-- Records made before the first agency have no owner: their keys stay
-- unique among themselves too.
CREATE UNIQUE INDEX outlets_orphan_key ON outlets ("key") WHERE owner IS NULL;
CREATE UNIQUE INDEX programmes_orphan_key ON programmes ("key") WHERE owner IS NULL;
CREATE UNIQUE INDEX media_items_orphan_key ON media_items ("key") WHERE owner IS NULL;
CREATE UNIQUE INDEX directives_orphan_key ON directives ("key") WHERE owner IS NULL;
CREATE UNIQUE INDEX report_requests_orphan_key ON report_requests ("key") WHERE owner IS NULL;
CREATE UNIQUE INDEX plan_items_orphan_key ON plan_items ("key") WHERE owner IS NULL;
CREATE UNIQUE INDEX cases_orphan_key ON cases ("key") WHERE owner IS NULL;
CREATE UNIQUE INDEX evidence_orphan_key ON evidence ("key") WHERE owner IS NULL;
CREATE UNIQUE INDEX takedown_checks_orphan_key ON takedown_checks ("key") WHERE owner IS NULL;
CREATE UNIQUE INDEX inspections_orphan_key ON inspections ("key") WHERE owner IS NULL;
CREATE UNIQUE INDEX inspection_subjects_orphan_key ON inspection_subjects ("key") WHERE owner IS NULL;
CREATE UNIQUE INDEX sanction_decisions_orphan_key ON sanction_decisions ("key") WHERE owner IS NULL;

-- The day counts, per agency.
CREATE TABLE media_item_day_counts_new (
    day TEXT NOT NULL,
    topic TEXT NOT NULL,
    outlet TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    items BIGINT NOT NULL,
    featured BIGINT NOT NULL,
    PRIMARY KEY (day, topic, outlet, owner)
);
INSERT INTO media_item_day_counts_new (day, topic, outlet, owner, items, featured)
SELECT t.published_on, t.topic, t.outlet, COALESCE(m.owner, ''), COUNT(*), SUM(CASE WHEN m.featured THEN 1 ELSE 0 END)
FROM media_item_topics t JOIN media_items m ON m.id = t.item_id
WHERE t.original
GROUP BY t.published_on, t.topic, t.outlet, COALESCE(m.owner, '');
INSERT INTO media_item_day_counts_new (day, topic, outlet, owner, items, featured)
SELECT published_on, '', outlet, COALESCE(owner, ''), COUNT(*), SUM(CASE WHEN featured THEN 1 ELSE 0 END)
FROM media_items
WHERE duplicate_of IS NULL
GROUP BY published_on, outlet, COALESCE(owner, '');
DROP TABLE media_item_day_counts;
ALTER TABLE media_item_day_counts_new RENAME TO media_item_day_counts;
CREATE INDEX media_item_day_counts_owner ON media_item_day_counts (owner, day);
