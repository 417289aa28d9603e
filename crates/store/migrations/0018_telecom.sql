-- Telecom (section II.2 and III of the report): the operators active in the
-- province, their awareness campaigns, their monthly spam reports and their
-- BTS stations; telecom inspections carry a scope, their subjects the SIMs
-- found with wrong data and the station inspected. Every new table is owned
-- like the others: keys unique per agency, references within it.

CREATE TABLE telecom_operators (
    id @ID@,
    "key" TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    owner TEXT,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    parent TEXT,
    address TEXT,
    contact TEXT,
    UNIQUE (owner, "key"),
    FOREIGN KEY (owner, parent) REFERENCES telecom_operators (owner, "key")
);
CREATE UNIQUE INDEX telecom_operators_orphan_key ON telecom_operators ("key") WHERE owner IS NULL;
CREATE INDEX telecom_operators_key ON telecom_operators ("key");

CREATE TABLE bts_stations (
    id @ID@,
    "key" TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    owner TEXT,
    operator TEXT NOT NULL,
    code TEXT NOT NULL,
    address TEXT NOT NULL,
    commune TEXT NOT NULL,
    coordinates TEXT,
    licence_number TEXT,
    licence_expires TEXT,
    certificate_number TEXT,
    certificate_issued_on TEXT,
    certificate_expires TEXT,
    UNIQUE (owner, "key"),
    FOREIGN KEY (owner, operator) REFERENCES telecom_operators (owner, "key")
);
CREATE UNIQUE INDEX bts_stations_orphan_key ON bts_stations ("key") WHERE owner IS NULL;
CREATE INDEX bts_stations_key ON bts_stations ("key");
-- An agency's stations per operator and by expiry (the dashboard's alerts,
-- the report's counts); the same without the owner for the installation's
-- own reads (the command line without --agency).
CREATE INDEX bts_stations_operator ON bts_stations (owner, operator);
CREATE INDEX bts_stations_certificate ON bts_stations (owner, certificate_expires);
CREATE INDEX bts_stations_licence ON bts_stations (owner, licence_expires);
CREATE INDEX bts_stations_any_operator ON bts_stations (operator);
CREATE INDEX bts_stations_any_certificate ON bts_stations (certificate_expires);
CREATE INDEX bts_stations_any_licence ON bts_stations (licence_expires);

CREATE TABLE telecom_campaigns (
    id @ID@,
    "key" TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    owner TEXT,
    operator TEXT NOT NULL,
    topic TEXT NOT NULL,
    channel TEXT NOT NULL,
    started_on TEXT NOT NULL,
    ended_on TEXT,
    message TEXT NOT NULL,
    messages_sent BIGINT NOT NULL,
    subscribers_reached BIGINT,
    directive TEXT,
    UNIQUE (owner, "key"),
    FOREIGN KEY (owner, operator) REFERENCES telecom_operators (owner, "key"),
    FOREIGN KEY (owner, directive) REFERENCES directives (owner, "key")
);
CREATE UNIQUE INDEX telecom_campaigns_orphan_key ON telecom_campaigns ("key") WHERE owner IS NULL;
CREATE INDEX telecom_campaigns_key ON telecom_campaigns ("key");
CREATE INDEX telecom_campaigns_started ON telecom_campaigns (owner, started_on);

CREATE TABLE spam_reports (
    id @ID@,
    "key" TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    search TEXT NOT NULL DEFAULT '',
    owner TEXT,
    operator TEXT NOT NULL,
    month TEXT NOT NULL,
    sms_reports BIGINT NOT NULL,
    call_reports BIGINT NOT NULL,
    numbers_blocked BIGINT NOT NULL,
    sims_revoked BIGINT NOT NULL,
    fraud_calls_handled BIGINT NOT NULL,
    note TEXT,
    UNIQUE (owner, "key"),
    FOREIGN KEY (owner, operator) REFERENCES telecom_operators (owner, "key")
);
CREATE UNIQUE INDEX spam_reports_orphan_key ON spam_reports ("key") WHERE owner IS NULL;
CREATE INDEX spam_reports_key ON spam_reports ("key");
CREATE INDEX spam_reports_month ON spam_reports (owner, month);

ALTER TABLE inspections ADD COLUMN scope TEXT;
ALTER TABLE inspection_subjects ADD COLUMN wrong_sims BIGINT;
ALTER TABLE inspection_subjects ADD COLUMN station TEXT;

-- @postgres
ALTER TABLE inspection_subjects ADD FOREIGN KEY (owner, station) REFERENCES bts_stations (owner, "key");

ALTER TABLE telecom_operators ENABLE ROW LEVEL SECURITY;
ALTER TABLE telecom_operators FORCE ROW LEVEL SECURITY;
CREATE POLICY telecom_operators_agency ON telecom_operators
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
ALTER TABLE bts_stations ENABLE ROW LEVEL SECURITY;
ALTER TABLE bts_stations FORCE ROW LEVEL SECURITY;
CREATE POLICY bts_stations_agency ON bts_stations
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
ALTER TABLE telecom_campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE telecom_campaigns FORCE ROW LEVEL SECURITY;
CREATE POLICY telecom_campaigns_agency ON telecom_campaigns
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
ALTER TABLE spam_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE spam_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY spam_reports_agency ON spam_reports
    USING (canhgiac_scope() IS NULL OR owner = canhgiac_scope())
    WITH CHECK (canhgiac_scope() IS NULL OR owner = canhgiac_scope());
-- @both
-- SQLite cannot add a table constraint: the runner rebuilds
-- inspection_subjects with the station's reference after this script
-- (schema::subject_station_sql).
