-- Ownership (many agencies in one store): every record of an owned kind
-- belongs to an agency, named in `owner`; an agency owns itself; topics and
-- the legal catalogue are shared and have none. Existing stores held one
-- agency: every record goes to it.

ALTER TABLE agencies ADD COLUMN owner TEXT;
UPDATE agencies SET owner = "key";
ALTER TABLE users ADD COLUMN owner TEXT;
ALTER TABLE outlets ADD COLUMN owner TEXT;
ALTER TABLE programmes ADD COLUMN owner TEXT;
ALTER TABLE media_items ADD COLUMN owner TEXT;
ALTER TABLE directives ADD COLUMN owner TEXT;
ALTER TABLE report_requests ADD COLUMN owner TEXT;
ALTER TABLE plan_items ADD COLUMN owner TEXT;
ALTER TABLE cases ADD COLUMN owner TEXT;
ALTER TABLE evidence ADD COLUMN owner TEXT;
ALTER TABLE takedown_checks ADD COLUMN owner TEXT;
ALTER TABLE inspections ADD COLUMN owner TEXT;
ALTER TABLE inspection_subjects ADD COLUMN owner TEXT;
ALTER TABLE sanction_decisions ADD COLUMN owner TEXT;
UPDATE users SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
UPDATE outlets SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
UPDATE programmes SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
UPDATE media_items SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
UPDATE directives SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
UPDATE report_requests SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
UPDATE plan_items SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
UPDATE cases SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
UPDATE evidence SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
UPDATE takedown_checks SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
UPDATE inspections SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
UPDATE inspection_subjects SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
UPDATE sanction_decisions SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
CREATE INDEX agencies_owner ON agencies (owner);
CREATE INDEX users_owner ON users (owner);
CREATE INDEX outlets_owner ON outlets (owner);
CREATE INDEX programmes_owner ON programmes (owner);
CREATE INDEX media_items_owner ON media_items (owner);
CREATE INDEX directives_owner ON directives (owner);
CREATE INDEX report_requests_owner ON report_requests (owner);
CREATE INDEX plan_items_owner ON plan_items (owner);
CREATE INDEX cases_owner ON cases (owner);
CREATE INDEX evidence_owner ON evidence (owner);
CREATE INDEX takedown_checks_owner ON takedown_checks (owner);
CREATE INDEX inspections_owner ON inspections (owner);
CREATE INDEX inspection_subjects_owner ON inspection_subjects (owner);
CREATE INDEX sanction_decisions_owner ON sanction_decisions (owner);

-- Audit entries are seen by the agency that owns their record.
ALTER TABLE audit_log ADD COLUMN owner TEXT;
UPDATE audit_log SET owner = (SELECT "key" FROM agencies ORDER BY id LIMIT 1);
CREATE INDEX audit_log_owner ON audit_log (owner, seq);
