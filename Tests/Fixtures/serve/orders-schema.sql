CREATE TABLE IF NOT EXISTS hook_orders (
  order_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  amount NUMERIC NOT NULL CHECK (amount < 1000000),
  received_at TIMESTAMPTZ,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS hook_rejects (order_id TEXT, reasons TEXT);
CREATE TABLE IF NOT EXISTS stock (sku TEXT PRIMARY KEY, qty INT NOT NULL);
-- No key: a row per processing, so an event processed twice shows as two rows.
CREATE TABLE IF NOT EXISTS hook_events (event TEXT NOT NULL, amount NUMERIC, written_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp());
