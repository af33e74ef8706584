-- Tables the conflict resolver (pipelines/conflict-resolver.yaml) applies remote winners
-- to, besides `contacts` (sql/crm.sql). Minimal and idempotent: the CRM inbound sync may
-- create them with more columns first; nothing here changes a table that exists.
CREATE TABLE IF NOT EXISTS accounts (
    id SERIAL PRIMARY KEY,
    external_id TEXT UNIQUE,
    name TEXT,
    updated_at TIMESTAMPTZ,
    deleted_at TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS opportunities (
    id SERIAL PRIMARY KEY,
    external_id TEXT UNIQUE,
    name TEXT,
    updated_at TIMESTAMPTZ,
    deleted_at TIMESTAMPTZ
);
