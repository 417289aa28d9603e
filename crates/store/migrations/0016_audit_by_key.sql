-- The bin of deleted records asks, for each delete, whether anything has
-- happened since to a record of that kind and code (a restore, a new
-- record): an index by kind, code and sequence answers it without a scan.
CREATE INDEX audit_log_key ON audit_log (kind, record_key, seq);
