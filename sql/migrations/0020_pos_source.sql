-- 0020: sales pack (seed 000) source: pos.lengolf_sales, bay capacity as data, venue settings, the one definition of "customer".
-- Up Migration
CREATE SCHEMA IF NOT EXISTS pos;
COMMENT ON SCHEMA pos IS 'Sales pack (seed 000): a golf-simulator venue''s POS sales and the materialized views its dashboard reads.';
REVOKE ALL ON SCHEMA pos FROM PUBLIC;

CREATE TABLE IF NOT EXISTS pos.lengolf_sales (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  date date NOT NULL,
  sales_timestamp timestamptz NOT NULL,
  receipt_number text NOT NULL,
  customer_name text,
  customer_phone_number text,
  product_name text,
  product_category text,
  item_cnt integer NOT NULL DEFAULT 1,
  sales_net numeric(12, 2) NOT NULL DEFAULT 0,
  sales_total numeric(12, 2) NOT NULL DEFAULT 0,
  sales_vat numeric(12, 2) NOT NULL DEFAULT 0,
  sales_discount numeric(12, 2) NOT NULL DEFAULT 0,
  sales_cost numeric(12, 2) NOT NULL DEFAULT 0,
  gross_profit numeric(12, 2) NOT NULL DEFAULT 0,
  is_sim_usage integer NOT NULL DEFAULT 0 CHECK (is_sim_usage IN (0, 1)),
  is_voided boolean NOT NULL DEFAULT false,
  payment_method text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE pos.lengolf_sales IS 'POS line items: one row per product line of a receipt. date is the business date in the venue''s time zone.';
COMMENT ON COLUMN pos.lengolf_sales.is_sim_usage IS '1 when the line is one simulator bay-hour.';
COMMENT ON COLUMN pos.lengolf_sales.customer_phone_number IS 'Identifies the customer; NULL, '''' and ''-'' are placeholders for walk-ins (see pos.customer_key).';

-- The seed's existing indexes...
CREATE INDEX IF NOT EXISTS idx_lengolf_sales_date_new ON pos.lengolf_sales (date);
CREATE INDEX IF NOT EXISTS idx_lengolf_sales_timestamp_new ON pos.lengolf_sales (sales_timestamp);
CREATE INDEX IF NOT EXISTS idx_lengolf_sales_date_customer ON pos.lengolf_sales (date, customer_name);
CREATE INDEX IF NOT EXISTS idx_lengolf_sales_receipt_new ON pos.lengolf_sales (receipt_number);
CREATE INDEX IF NOT EXISTS idx_lengolf_sales_sim_usage_new ON pos.lengolf_sales (is_sim_usage);
-- ...and the additional ones it asks for.
CREATE INDEX IF NOT EXISTS idx_lengolf_sales_customer_phone_date ON pos.lengolf_sales (customer_phone_number, date)
  WHERE customer_phone_number IS NOT NULL AND customer_phone_number NOT IN ('', '-');
CREATE INDEX IF NOT EXISTS idx_lengolf_sales_voided_date ON pos.lengolf_sales (is_voided, date) WHERE is_voided = false;
CREATE INDEX IF NOT EXISTS idx_lengolf_sales_composite_analytics ON pos.lengolf_sales (date, customer_phone_number, is_voided, sales_net)
  WHERE is_voided = false AND customer_phone_number IS NOT NULL AND customer_phone_number NOT IN ('', '-');

CREATE OR REPLACE FUNCTION pos.customer_key(phone text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT NULLIF(NULLIF(btrim(phone), ''), '-') $$;
COMMENT ON FUNCTION pos.customer_key(text) IS
  'The one definition of a customer: the phone number, or NULL for the walk-in placeholders (NULL, '''', ''-''). Every view and function counts customers through it.';

CREATE TABLE IF NOT EXISTS pos.bay_capacity (
  effective_from date PRIMARY KEY,
  bays integer NOT NULL CHECK (bays > 0),
  operating_hours numeric(4, 2) NOT NULL CHECK (operating_hours > 0 AND operating_hours <= 24)
);
COMMENT ON TABLE pos.bay_capacity IS 'Simulator capacity from a date on: bays x operating hours a day is the SIM utilisation denominator for that day.';
INSERT INTO pos.bay_capacity (effective_from, bays, operating_hours) VALUES
  ('-infinity', 3, 12),
  ('2024-09-01', 4, 12)
ON CONFLICT (effective_from) DO NOTHING;

CREATE OR REPLACE FUNCTION pos.bay_hours_on(day date)
RETURNS numeric
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT bays * operating_hours FROM pos.bay_capacity WHERE effective_from <= day ORDER BY effective_from DESC LIMIT 1 $$;
COMMENT ON FUNCTION pos.bay_hours_on(date) IS 'Bay-hours the venue could sell on a day (bays x operating hours in force that day).';

CREATE TABLE IF NOT EXISTS pos.setting (
  name text PRIMARY KEY,
  value text NOT NULL,
  description text NOT NULL
);
COMMENT ON TABLE pos.setting IS 'Sales pack configuration.';
INSERT INTO pos.setting (name, value, description) VALUES
  ('time_zone', 'Asia/Bangkok', 'The venue''s time zone: business dates, schedules and day boundaries are read in it.')
ON CONFLICT (name) DO NOTHING;
