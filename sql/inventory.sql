-- Schema of the ERP → e-commerce inventory sync (docs/flows.md, "Inventory sync").
-- Run before every run by pipelines/inventory.yaml: idempotent, no manual step.
-- `products` is the shop's own table and must already exist.
CREATE TABLE IF NOT EXISTS inventory (
    id SERIAL PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id),
    in_stock INTEGER NOT NULL DEFAULT 0,
    is_discontinued BOOLEAN NOT NULL DEFAULT FALSE,
    discontinued_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_synced_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT unique_product_inventory UNIQUE (product_id)
) WITH (fillfactor = 50);

-- Every sync rewrites every row (last_synced_at), and no updated column is indexed:
-- with half of each page free the new row versions stay on their page (HOT updates),
-- so the indexes are not touched and the WAL is ~5× smaller (docs/performance.md).
-- An existing table is switched over once; its pages fill to 50% as they are rewritten.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = 'inventory'::regclass AND reloptions @> ARRAY['fillfactor=50']) THEN
        ALTER TABLE inventory SET (fillfactor = 50);
    END IF;
END $$;

CREATE TABLE IF NOT EXISTS sync_jobs (
    id SERIAL PRIMARY KEY,
    started_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed_at TIMESTAMP,
    skus_processed INTEGER DEFAULT 0,
    items_changed INTEGER DEFAULT 0,
    api_latency_ms INTEGER DEFAULT 0,
    status TEXT NOT NULL, -- 'running', 'completed', 'failed'
    error_message TEXT,
    s3_backup_path TEXT
);

CREATE INDEX IF NOT EXISTS idx_inventory_product_id ON inventory(product_id);
CREATE INDEX IF NOT EXISTS idx_products_sku ON products(sku);
