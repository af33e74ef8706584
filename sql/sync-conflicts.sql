-- Conflicts between a local row and a change another system reported for it
-- (the CRM webhook, a postgres sink with `on_conflict: record`). Written pending;
-- pipelines/conflict-resolver.yaml resolves or escalates them. Shared by several
-- pipelines: idempotent, run before each run.
CREATE TABLE IF NOT EXISTS sync_conflicts (
    id BIGSERIAL PRIMARY KEY,
    record_type TEXT NOT NULL,          -- 'contact', 'account', 'opportunity', or the table
    record_id TEXT NOT NULL,            -- the other system's id (external_id)
    source TEXT,                        -- who sent the remote version ('crm', 'erp')
    local_data JSONB,                   -- the local row when the conflict was seen
    remote_data JSONB,                  -- what the other system sent
    original_data JSONB,                -- the last synced version (for field-level merges); null if unknown
    local_timestamp TIMESTAMPTZ,
    remote_timestamp TIMESTAMPTZ,
    event TEXT,                         -- created | updated | deleted
    status TEXT NOT NULL DEFAULT 'pending',   -- pending | resolved | escalated
    resolution_type TEXT,               -- automatic | manual
    resolution_details JSONB,           -- which rule decided and what was applied
    resolved_at TIMESTAMPTZ,
    escalated_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_sync_conflicts_pending ON sync_conflicts (created_at, id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS idx_sync_conflicts_record ON sync_conflicts (record_type, record_id);
