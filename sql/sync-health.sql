-- Health reports of pipelines/sync-monitor.yaml: one row every 5 minutes.
-- Idempotent; run before every run.
CREATE TABLE IF NOT EXISTS sync_health_reports (
    id BIGSERIAL PRIMARY KEY,
    checked_at TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL,                 -- healthy | degraded | unhealthy
    healthy INT,                          -- pipelines by status
    degraded INT,
    unhealthy INT,
    pending_conflicts INT,
    escalated_conflicts INT,
    issues JSONB,                         -- [{pipeline, type, severity, message}]
    pipelines JSONB,                      -- every figure per pipeline (see docs/health.md)
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_sync_health_reports_checked ON sync_health_reports (checked_at);
