-- Every call a sync makes or receives, one row each (the outbound CRM push, the
-- inbound webhooks). Shared by several pipelines: idempotent, run before each run.
CREATE TABLE IF NOT EXISTS sync_events (
    id BIGSERIAL PRIMARY KEY,
    direction TEXT NOT NULL,            -- 'outbound' or 'inbound'
    source TEXT,                        -- inbound: who sent it ('crm', 'erp')
    destination TEXT,                   -- outbound: where it went ('crm')
    event TEXT NOT NULL,                -- create | update | delete …
    record_type TEXT,
    record_id TEXT,                     -- the local id
    external_id TEXT,                   -- the other system's id
    response_status INTEGER,            -- outbound: the HTTP status answered
    timestamp TIMESTAMPTZ NOT NULL DEFAULT now(),
    received_at TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS idx_sync_events_record ON sync_events (record_type, record_id);
