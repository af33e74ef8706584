-- Stock per SKU and warehouse, written by the ERP webhook (its `inventory` events set
-- the counts) and by the inventory adjustments webhook (movements change
-- quantity_on_hand under a row lock). Shared: idempotent, run before each use.
-- The nightly sync's `inventory` table (one row per product, no warehouse) is separate.
CREATE TABLE IF NOT EXISTS warehouse_stock (
    id BIGSERIAL PRIMARY KEY,
    sku TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    quantity_on_hand INTEGER NOT NULL DEFAULT 0,
    quantity_available INTEGER,
    quantity_reserved INTEGER,
    quantity_on_order INTEGER,
    bin_location TEXT,
    last_count_date DATE,
    last_adjustment_type TEXT,                 -- receipt | shipment | adjustment | transfer_out | transfer_in | count
    last_adjustment_source TEXT,               -- the system the last movement came from
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT warehouse_stock_sku_warehouse_key UNIQUE (sku, warehouse)
);
