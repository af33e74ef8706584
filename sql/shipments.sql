-- Schema of the ERP shipments sync (pipelines/shipments.yaml).
-- Run before every run: idempotent, no manual step.
CREATE TABLE IF NOT EXISTS shipments (
    id SERIAL PRIMARY KEY,
    erp_shipment_id TEXT NOT NULL,             -- the ERP's shipment id
    order_id TEXT,                             -- the ERP's order id
    carrier TEXT,
    tracking_number TEXT,
    tracking_url TEXT,
    ship_date DATE,
    estimated_delivery DATE,
    status TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,   -- set when a synced value really changed
    synced_at TIMESTAMP,                                       -- last run that saw the shipment
    CONSTRAINT shipments_erp_shipment_id_key UNIQUE (erp_shipment_id)
);

CREATE INDEX IF NOT EXISTS idx_shipments_order_id ON shipments (order_id);
CREATE INDEX IF NOT EXISTS idx_shipments_status ON shipments (status);
