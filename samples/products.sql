-- A sample shop catalogue for the demo: 200 products, SKU-00001 … SKU-00200.
CREATE TABLE IF NOT EXISTS products (
    id SERIAL PRIMARY KEY,
    sku VARCHAR(64) NOT NULL UNIQUE,
    name TEXT NOT NULL,
    price NUMERIC(10,2) NOT NULL DEFAULT 0,
    description TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO products (sku, name, price)
SELECT 'SKU-' || lpad(i::text, 5, '0'), 'Sample product ' || i, (i % 50) + 0.99
FROM generate_series(1, 200) AS i
ON CONFLICT (sku) DO NOTHING;
