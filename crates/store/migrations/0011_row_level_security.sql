-- Row-level security (PostgreSQL): a second line of defence behind the
-- owner filters every query carries. A store acting for an agency sets
-- `canhgiac.agency` at the start of each transaction (db::Pool::for_agency);
-- the policies then show and accept only that agency's rows, so a query
-- that forgot its filter still cannot read or write another agency's
-- records. Without the setting (the installation itself: migrations, the
-- CLI without --agency, workers) every row is visible. FORCE makes the
-- policies bind the tables' owner too; a superuser bypasses them, so the
-- application should connect as an ordinary role. SQLite has no such
-- feature and relies on the owner filters alone.

-- @postgres
CREATE FUNCTION canhgiac_scope() RETURNS text LANGUAGE sql STABLE AS
$$ SELECT NULLIF(current_setting('canhgiac.agency', true), '') $$;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_agency ON users
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

ALTER TABLE outlets ENABLE ROW LEVEL SECURITY;
ALTER TABLE outlets FORCE ROW LEVEL SECURITY;
CREATE POLICY outlets_agency ON outlets
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

ALTER TABLE programmes ENABLE ROW LEVEL SECURITY;
ALTER TABLE programmes FORCE ROW LEVEL SECURITY;
CREATE POLICY programmes_agency ON programmes
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

ALTER TABLE media_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE media_items FORCE ROW LEVEL SECURITY;
CREATE POLICY media_items_agency ON media_items
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

ALTER TABLE directives ENABLE ROW LEVEL SECURITY;
ALTER TABLE directives FORCE ROW LEVEL SECURITY;
CREATE POLICY directives_agency ON directives
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

ALTER TABLE report_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE report_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY report_requests_agency ON report_requests
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

ALTER TABLE plan_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_items FORCE ROW LEVEL SECURITY;
CREATE POLICY plan_items_agency ON plan_items
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases FORCE ROW LEVEL SECURITY;
CREATE POLICY cases_agency ON cases
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

ALTER TABLE evidence ENABLE ROW LEVEL SECURITY;
ALTER TABLE evidence FORCE ROW LEVEL SECURITY;
CREATE POLICY evidence_agency ON evidence
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

ALTER TABLE takedown_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE takedown_checks FORCE ROW LEVEL SECURITY;
CREATE POLICY takedown_checks_agency ON takedown_checks
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

ALTER TABLE inspections ENABLE ROW LEVEL SECURITY;
ALTER TABLE inspections FORCE ROW LEVEL SECURITY;
CREATE POLICY inspections_agency ON inspections
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

ALTER TABLE inspection_subjects ENABLE ROW LEVEL SECURITY;
ALTER TABLE inspection_subjects FORCE ROW LEVEL SECURITY;
CREATE POLICY inspection_subjects_agency ON inspection_subjects
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

ALTER TABLE sanction_decisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sanction_decisions FORCE ROW LEVEL SECURITY;
CREATE POLICY sanction_decisions_agency ON sanction_decisions
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

-- The agency tree is shared knowledge; an agency changes only itself.
ALTER TABLE agencies ENABLE ROW LEVEL SECURITY;
ALTER TABLE agencies FORCE ROW LEVEL SECURITY;
CREATE POLICY agencies_read ON agencies FOR SELECT USING (true);
CREATE POLICY agencies_insert ON agencies FOR INSERT
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
CREATE POLICY agencies_update ON agencies FOR UPDATE
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
CREATE POLICY agencies_delete ON agencies FOR DELETE
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope());

-- Audit entries: read only by their agency (shared kinds' entries by all);
-- written by whoever acts, since a child's sending is its parent's entry.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY audit_log_read ON audit_log FOR SELECT
    USING (canhgiac_scope() IS NULL OR owner IS NULL OR owner = canhgiac_scope());
CREATE POLICY audit_log_append ON audit_log FOR INSERT WITH CHECK (true);

ALTER TABLE issued_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE issued_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY issued_reports_agency ON issued_reports
    USING (canhgiac_scope() IS NULL OR agency = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR agency = canhgiac_scope());

-- A submission is its sender's and the requesting agency's.
ALTER TABLE submissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE submissions FORCE ROW LEVEL SECURITY;
CREATE POLICY submissions_parties ON submissions
    USING (canhgiac_scope() IS NULL OR agency = canhgiac_scope()
           OR call_id IN (SELECT id FROM report_calls WHERE owner = canhgiac_scope()))
    WITH CHECK (canhgiac_scope() IS NULL OR agency = canhgiac_scope()
           OR call_id IN (SELECT id FROM report_calls WHERE owner = canhgiac_scope()));

-- Public keys are for everyone to check with; a secret key only for its agency.
ALTER TABLE agency_signing_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE agency_signing_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY agency_signing_keys_own ON agency_signing_keys
    USING (canhgiac_scope() IS NULL OR agency = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR agency = canhgiac_scope());
-- @sqlite
SELECT 1;
-- @both
