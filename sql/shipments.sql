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

-- Read (never written) by the shipping confirmation mail: shipment.order_id → orders.erp_order_id
-- → orders.customer_id → customers.id → customers.email. The orders sync owns these tables; they are
-- created here only so that a fresh database runs. Only the columns below are read.
CREATE TABLE IF NOT EXISTS customers (
    id SERIAL PRIMARY KEY,
    name TEXT,
    email TEXT
);

CREATE TABLE IF NOT EXISTS orders (
    id SERIAL PRIMARY KEY,
    erp_order_id TEXT NOT NULL UNIQUE,         -- the ERP's order id (shipments.order_id)
    order_number TEXT,
    customer_id INTEGER REFERENCES customers (id),
    status TEXT
);
