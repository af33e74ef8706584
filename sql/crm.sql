-- Schema of the CRM → contacts sync (pipelines/crm-contacts.yaml).
-- Run before every run: idempotent, no manual step.
CREATE TABLE IF NOT EXISTS contacts (
    id SERIAL PRIMARY KEY,
    external_id TEXT,                          -- the CRM's contact id; null for a local contact not yet pushed
    external_source TEXT,                      -- 'crm' once the CRM knows the contact
    first_name TEXT,
    last_name TEXT,
    email TEXT,                                -- stored lower-cased
    phone TEXT,
    company TEXT,
    title TEXT,
    source TEXT,                               -- the CRM's lead source
    status TEXT,
    -- When the contact last changed, in the CRM or here. The sync only overwrites a
    -- row with a CRM record that is newer (local edits that are newer win); local
    -- edits must therefore set updated_at = now().
    updated_at TIMESTAMPTZ,
    synced_at TIMESTAMPTZ,                     -- last run that saw the contact
    deleted_at TIMESTAMPTZ,                    -- set when the CRM reports it deleted (soft delete)
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT contacts_external_id_key UNIQUE (external_id)
);

CREATE INDEX IF NOT EXISTS idx_contacts_email ON contacts (email);

-- Who deleted a contact: 'crm' when the CRM reported it deleted (added after the
-- first release: existing installs get it on their next run).
ALTER TABLE contacts ADD COLUMN IF NOT EXISTS deleted_from TEXT;

-- Contacts are also created locally and pushed to the CRM (pipelines/crm-outbound.yaml):
-- such a contact has no external_id until the CRM answers. Installs from before keep
-- working: these statements are idempotent.
ALTER TABLE contacts ALTER COLUMN external_id DROP NOT NULL;
ALTER TABLE contacts ALTER COLUMN external_source DROP NOT NULL;
ALTER TABLE contacts ALTER COLUMN external_source DROP DEFAULT;
-- Local edits set updated_at = now(); the outbound sync pushes rows changed after their last sync.
CREATE INDEX IF NOT EXISTS idx_contacts_unsynced ON contacts (updated_at, id) WHERE synced_at IS NULL OR updated_at > synced_at;
