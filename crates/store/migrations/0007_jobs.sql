-- The job layer: background work (scheduled fetches, captures, re-checks)
-- that any node may run. A job is leased by one worker at a time until
-- lease_until; a worker that dies lets its lease expire and another takes
-- the job over. Instants are RFC 3339 UTC text, which sorts as time.

CREATE TABLE jobs (
    id @ID@,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    run_at TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    lease_holder TEXT,
    lease_until TEXT,
    last_error TEXT,
    dedupe_key TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX jobs_due ON jobs (state, run_at);
-- One queued or running job per dedupe key (one fetch of a source at once).
CREATE UNIQUE INDEX jobs_dedupe ON jobs (dedupe_key) WHERE state IN ('queued', 'running');

-- Every attempt that ended, by whom and how: the history behind the
-- metrics, and the proof that a job completed once.
CREATE TABLE job_runs (
    id @ID@,
    job_id BIGINT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt BIGINT NOT NULL,
    holder TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('done', 'retry', 'failed')),
    error TEXT,
    finished_at TEXT NOT NULL
);
CREATE INDEX job_runs_job ON job_runs (job_id);

-- Live workers, by heartbeat.
CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid BIGINT NOT NULL,
    kinds TEXT NOT NULL,
    started_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
