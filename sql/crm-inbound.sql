-- Tables the CRM inbound webhook (pipelines/crm-inbound.yaml) writes besides
-- `contacts` (sql/crm.sql), `sync_events` and `sync_conflicts`. Idempotent: run
-- by `etl serve` before it accepts requests.
CREATE TABLE IF NOT EXISTS accounts (
    id SERIAL PRIMARY KEY,
    external_id TEXT NOT NULL,                 -- the CRM's account id
    external_source TEXT,                      -- 'crm'
    company_name TEXT,
    industry TEXT,
    website TEXT,
    annual_revenue NUMERIC,
    employee_count INTEGER,
    billing_address JSONB,                     -- as the CRM sends it (an object)
    updated_at TIMESTAMPTZ,                    -- the CRM event's timestamp, or a local edit's now()
    synced_at TIMESTAMPTZ,                     -- last event applied
    deleted_at TIMESTAMPTZ,                    -- soft delete
    deleted_from TEXT,                         -- 'crm' when the CRM deleted it
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT accounts_external_id_key UNIQUE (external_id)
);

CREATE TABLE IF NOT EXISTS opportunities (
    id SERIAL PRIMARY KEY,
    external_id TEXT NOT NULL,                 -- the CRM's opportunity id
    external_source TEXT,
    name TEXT,
    account_id TEXT,                           -- the CRM's account id (accounts.external_id)
    amount NUMERIC,
    stage TEXT,
    probability NUMERIC,
    close_date DATE,
    updated_at TIMESTAMPTZ,
    synced_at TIMESTAMPTZ,
    deleted_at TIMESTAMPTZ,
    deleted_from TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT opportunities_external_id_key UNIQUE (external_id)
);
CREATE INDEX IF NOT EXISTS idx_opportunities_account ON opportunities (account_id);

-- The sync state of each record another system told us about, one row per
-- `{type}_{id}` (e.g. 'contact_c-1'): when it was last received and how it went
-- ('synced'; 'conflict' when the local row was newer and a sync_conflicts row waits).
CREATE TABLE IF NOT EXISTS sync_status (
    record_key TEXT PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id TEXT NOT NULL,
    last_sync TIMESTAMPTZ,
    sync_direction TEXT,                       -- 'inbound' | 'outbound'
    status TEXT
);
