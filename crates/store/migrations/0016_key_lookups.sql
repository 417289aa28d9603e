-- Lookups by code alone. Since 0012 a record's code is unique per agency,
-- (owner, key); a store acting for the whole installation (the command
-- line without --agency, `bench`) looks a record up by its code alone,
-- which that index cannot serve: every insert of an import scanned the
-- table's index (an import of N items cost N²). One index by code per
-- owned table.
CREATE INDEX cases_key ON cases ("key");
CREATE INDEX directives_key ON directives ("key");
CREATE INDEX evidence_key ON evidence ("key");
CREATE INDEX inspection_subjects_key ON inspection_subjects ("key");
CREATE INDEX inspections_key ON inspections ("key");
CREATE INDEX media_items_key ON media_items ("key");
CREATE INDEX outlets_key ON outlets ("key");
CREATE INDEX plan_items_key ON plan_items ("key");
CREATE INDEX programmes_key ON programmes ("key");
CREATE INDEX report_requests_key ON report_requests ("key");
CREATE INDEX sanction_decisions_key ON sanction_decisions ("key");
CREATE INDEX takedown_checks_key ON takedown_checks ("key");

-- The bin of deleted records asks, for each delete, whether anything has
-- happened since to a record of that kind and code (a restore, a new
-- record): an index by kind, code and sequence answers it without a scan.
CREATE INDEX audit_log_key ON audit_log (kind, record_key, seq);
