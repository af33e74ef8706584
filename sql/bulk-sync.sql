-- Schema of the bulk sync (pipelines/bulk-sync.yaml): the target table, the
-- per-run ledger and the table rejected records are written to.
-- Run before every run: idempotent, no manual step.
CREATE TABLE IF NOT EXISTS synced_records (
    id SERIAL PRIMARY KEY,
    source_id TEXT NOT NULL,                   -- the source system's record id
    entity_type TEXT,
    name TEXT,
    email TEXT,
    amount NUMERIC(14,2),
    attributes JSONB,                          -- everything else, as received
    source_updated_at TIMESTAMPTZ,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,   -- set when a synced value really changed
    synced_at TIMESTAMP,
    CONSTRAINT synced_records_source_id_key UNIQUE (source_id)
);

-- One row per run: running → completed | failed, with counts (the seed's sync_jobs).
CREATE TABLE IF NOT EXISTS bulk_sync_jobs (
    id SERIAL PRIMARY KEY,
    started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed_at TIMESTAMP,
    status TEXT NOT NULL,
    error_message TEXT,
    total_records BIGINT,
    processed_records BIGINT,
    error_count BIGINT
);

-- Records that could not be synced, with why (the seed's sync_errors).
CREATE TABLE IF NOT EXISTS sync_errors (
    id SERIAL PRIMARY KEY,
    job_id TEXT NOT NULL,                      -- the run id (bulk_sync_jobs.run_id)
    record_id TEXT,
    position BIGINT,                           -- record number in the source, counting across pages
    stage TEXT,                                -- which stage refused it
    error TEXT NOT NULL,                       -- the reasons, as a JSON array
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_sync_errors_job_id ON sync_errors (job_id);
