-- Tables the ERP webhook (pipelines/erp-webhook.yaml) writes. Idempotent: run by
-- `etl serve` before it accepts requests. `orders`, `customers` (sql/shipments.sql)
-- and `products` may already exist (the shop's tables): they are created only when
-- missing and get the columns this flow needs added, nothing dropped.
CREATE TABLE IF NOT EXISTS customers (
    id SERIAL PRIMARY KEY,
    name TEXT,
    email TEXT
);

CREATE TABLE IF NOT EXISTS orders (
    id SERIAL PRIMARY KEY,
    erp_order_id TEXT NOT NULL UNIQUE,
    order_number TEXT,
    customer_id INTEGER REFERENCES customers (id),
    status TEXT
);
ALTER TABLE orders ADD COLUMN IF NOT EXISTS order_date DATE;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS ship_date DATE;            -- the ERP's requestedShipDate
ALTER TABLE orders ADD COLUMN IF NOT EXISTS subtotal NUMERIC;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS tax NUMERIC;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS shipping NUMERIC;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS total NUMERIC;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS currency TEXT;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS updated_at TIMESTAMPTZ;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS delivered_at TIMESTAMPTZ;  -- set when a shipment reports delivered

-- One row per line item of an ERP sales order; (erp_order_id, line_number) makes a
-- re-sent order replace its lines instead of adding them twice.
CREATE TABLE IF NOT EXISTS order_lines (
    id BIGSERIAL PRIMARY KEY,
    erp_order_id TEXT NOT NULL,
    line_number INTEGER NOT NULL,              -- 1-based position in lineItems
    sku TEXT,
    description TEXT,
    quantity NUMERIC,
    unit_price NUMERIC,
    discount NUMERIC,
    total NUMERIC,                             -- the ERP's lineTotal
    CONSTRAINT order_lines_order_line_key UNIQUE (erp_order_id, line_number)
);

CREATE TABLE IF NOT EXISTS products (
    id SERIAL PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    name TEXT
);
ALTER TABLE products ADD COLUMN IF NOT EXISTS reorder_point INTEGER;     -- alert when available stock falls below
ALTER TABLE products ADD COLUMN IF NOT EXISTS reorder_quantity INTEGER;  -- how much purchasing should order

-- Low-stock alerts raised by the ERP's inventory events, for purchasing.
CREATE TABLE IF NOT EXISTS stock_alerts (
    id BIGSERIAL PRIMARY KEY,
    sku TEXT NOT NULL,
    warehouse TEXT,
    product_name TEXT,
    current_qty INTEGER,
    reorder_point INTEGER,
    reorder_qty INTEGER,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_stock_alerts_sku ON stock_alerts (sku, created_at);
