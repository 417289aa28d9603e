-- Issued reports: immutable snapshots of a rendered report. Each issue of
-- the same number in the same year is a new version; none is ever changed
-- or removed (triggers refuse it on both engines). `figures` holds every
-- figure with the ids of the records behind it; `sha256` covers the
-- manifest of figures and file hashes.

CREATE TABLE issued_reports (
    id @ID@,
    agency TEXT NOT NULL,
    number TEXT NOT NULL,
    year BIGINT NOT NULL,
    version BIGINT NOT NULL,
    kind TEXT NOT NULL,
    period TEXT,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    signed_on TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    summary TEXT NOT NULL,
    figures TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    UNIQUE (agency, number, year, version)
);

CREATE TABLE issued_report_files (
    report_id BIGINT NOT NULL REFERENCES issued_reports (id),
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    content @BLOB@ NOT NULL,
    PRIMARY KEY (report_id, name)
);

-- @sqlite
CREATE TRIGGER issued_reports_no_update BEFORE UPDATE ON issued_reports
BEGIN SELECT RAISE(ABORT, 'issued reports are immutable'); END;
CREATE TRIGGER issued_reports_no_delete BEFORE DELETE ON issued_reports
BEGIN SELECT RAISE(ABORT, 'issued reports are immutable'); END;
CREATE TRIGGER issued_report_files_no_update BEFORE UPDATE ON issued_report_files
BEGIN SELECT RAISE(ABORT, 'issued reports are immutable'); END;
CREATE TRIGGER issued_report_files_no_delete BEFORE DELETE ON issued_report_files
BEGIN SELECT RAISE(ABORT, 'issued reports are immutable'); END;
-- @postgres
CREATE FUNCTION canhgiac_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'issued reports are immutable';
END
$$;
CREATE TRIGGER issued_reports_immutable BEFORE UPDATE OR DELETE ON issued_reports
    FOR EACH ROW EXECUTE FUNCTION canhgiac_immutable();
CREATE TRIGGER issued_report_files_immutable BEFORE UPDATE OR DELETE ON issued_report_files
    FOR EACH ROW EXECUTE FUNCTION canhgiac_immutable();
-- @both
