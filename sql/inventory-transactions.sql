-- Stock movements, written by the inventory adjustments webhook and read by the
-- fan-out that pushes them to the other systems. Shared: idempotent, run before each run.
CREATE TABLE IF NOT EXISTS inventory_transactions (
    id BIGSERIAL PRIMARY KEY,
    sku TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    adjustment_type TEXT NOT NULL,      -- receipt | shipment | adjustment | transfer_out | transfer_in | count
    quantity_before INTEGER,
    quantity_change INTEGER,
    quantity_after INTEGER NOT NULL,
    reason TEXT,
    reference TEXT,
    source TEXT,                        -- the system the change came from ('erp', 'ecommerce', 'pos', 'wms' …)
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_inventory_transactions_sku ON inventory_transactions (sku, warehouse, id);

-- One row per delivery (one request) of a stock change to a system. A change not yet
-- delivered to a system (its push failed) has no row for it and is sent again by the
-- next run. action: 'quantity' (the new stock count) or 'disable' (the shop's product
-- taken off sale at 0).
CREATE TABLE IF NOT EXISTS inventory_sync_log (
    id BIGSERIAL PRIMARY KEY,
    system TEXT NOT NULL,
    sku TEXT NOT NULL,
    warehouse TEXT,
    quantity INTEGER,
    synced_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    transaction_id BIGINT REFERENCES inventory_transactions (id),
    action TEXT NOT NULL DEFAULT 'quantity'
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_inventory_sync_log_delivery ON inventory_sync_log (transaction_id, system, action);
