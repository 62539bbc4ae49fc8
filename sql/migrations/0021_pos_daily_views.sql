-- 0021: sales pack tier 1-2 daily views: daily summary, customer visits per day, customer analytics, product performance.
-- Up Migration
CREATE MATERIALIZED VIEW IF NOT EXISTS pos.mv_daily_sales_summary AS
SELECT
  a.*,
  -- Joined rather than called through a function, so the catalog (and change tracking) sees pos.bay_capacity.
  cap.bay_hours AS sim_capacity_hours,
  round(a.sim_usage_count / cap.bay_hours * 100, 2) AS sim_utilization_pct,
  round(a.total_revenue / NULLIF(a.total_transactions, 0), 2) AS avg_transaction_value,
  round(a.total_profit / NULLIF(a.total_revenue, 0) * 100, 2) AS gross_margin_pct
FROM (
  SELECT
    s.date,
    count(*) AS total_line_items,
    count(DISTINCT s.receipt_number) AS total_transactions,
    count(DISTINCT pos.customer_key(s.customer_phone_number)) AS total_customers,
    sum(s.sales_net) AS total_revenue,
    sum(s.gross_profit) AS total_profit,
    sum(s.sales_cost) AS total_cost,
    sum(s.is_sim_usage) AS sim_usage_count,
    sum(s.item_cnt) AS total_items_sold,
    avg(s.sales_net) AS avg_line_item_value,
    min(s.sales_timestamp) AS first_transaction_time,
    max(s.sales_timestamp) AS last_transaction_time,
    sum(s.sales_total) AS revenue_incl_vat,
    sum(s.sales_vat) AS total_vat,
    sum(s.sales_discount) AS total_discounts,
    count(DISTINCT pos.customer_key(s.customer_phone_number)) FILTER (WHERE s.is_sim_usage > 0) AS sim_customers,
    count(DISTINCT s.product_name) AS unique_products_sold,
    count(DISTINCT s.receipt_number) FILTER (WHERE s.payment_method = 'Cash') AS cash_transactions,
    count(DISTINCT s.receipt_number) FILTER (WHERE s.payment_method = 'Card') AS card_transactions,
    count(DISTINCT s.receipt_number) FILTER (WHERE s.payment_method LIKE '%QR%') AS qr_transactions
  FROM pos.lengolf_sales s
  WHERE NOT s.is_voided
  GROUP BY s.date
) a
CROSS JOIN LATERAL (
  SELECT c.bays * c.operating_hours AS bay_hours FROM pos.bay_capacity c
  WHERE c.effective_from <= a.date ORDER BY c.effective_from DESC LIMIT 1
) cap
WITH NO DATA;
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_daily_sales_summary_date ON pos.mv_daily_sales_summary (date);
CREATE INDEX IF NOT EXISTS idx_mv_daily_sales_summary_revenue ON pos.mv_daily_sales_summary (date, total_revenue);
COMMENT ON MATERIALIZED VIEW pos.mv_daily_sales_summary IS
  'Tier 1: one row per business date with sales (voided lines excluded). Customers per pos.customer_key; sim_capacity_hours is that day''s bay-hours, so utilisation over any set of days is sum(sim_usage_count) / sum(sim_capacity_hours).';

CREATE MATERIALIZED VIEW IF NOT EXISTS pos.mv_customer_daily_visits AS
WITH visits AS (
  SELECT s.date, pos.customer_key(s.customer_phone_number) AS customer_key,
         count(DISTINCT s.receipt_number) AS transactions, sum(s.sales_net) AS revenue,
         count(*) AS line_items, sum(s.is_sim_usage) AS sim_usage
  FROM pos.lengolf_sales s
  WHERE NOT s.is_voided AND pos.customer_key(s.customer_phone_number) IS NOT NULL
  GROUP BY 1, 2
)
SELECT v.*, v.date = min(v.date) OVER (PARTITION BY v.customer_key) AS is_first_visit
FROM visits v
WITH NO DATA;
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_customer_daily_visits_key ON pos.mv_customer_daily_visits (date, customer_key);
COMMENT ON MATERIALIZED VIEW pos.mv_customer_daily_visits IS
  'Supporting view: one row per identified customer and day they bought. Distinct customers over any range are counted from it exactly, never by adding up daily counts.';

CREATE MATERIALIZED VIEW IF NOT EXISTS pos.mv_customer_analytics AS
SELECT
  v.date,
  count(*) AS total_unique_customers,
  count(*) FILTER (WHERE v.is_first_visit) AS new_customers,
  count(*) FILTER (WHERE NOT v.is_first_visit) AS returning_customers,
  sum(v.transactions) AS total_customer_transactions,
  sum(v.revenue) AS total_customer_revenue,
  sum(v.sim_usage) AS total_customer_sim_usage,
  round(avg(v.revenue), 2) AS avg_customer_daily_spend,
  round(avg(v.transactions), 2) AS avg_customer_daily_transactions,
  round(count(*) FILTER (WHERE NOT v.is_first_visit)::numeric / count(*) * 100, 2) AS retention_rate_pct,
  -- The day's customers as dense ids: distinct customers over any range = distinct ids over its days,
  -- one row per day read instead of one index entry per customer-day.
  array_agg(v.customer_id ORDER BY v.customer_id) AS customer_ids
FROM (SELECT cv.*, dense_rank() OVER (ORDER BY cv.customer_key)::int AS customer_id FROM pos.mv_customer_daily_visits cv) v
GROUP BY v.date
WITH NO DATA;
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_customer_analytics_date ON pos.mv_customer_analytics (date);
CREATE INDEX IF NOT EXISTS idx_mv_customer_analytics_metrics ON pos.mv_customer_analytics (date, new_customers, returning_customers);
COMMENT ON MATERIALIZED VIEW pos.mv_customer_analytics IS
  'Tier 2: identified customers per day: new (first purchase ever that day), returning, spend. total_unique_customers equals mv_daily_sales_summary.total_customers for the same day; customer_ids are the day''s customers as ids that are consistent within one refresh.';

CREATE MATERIALIZED VIEW IF NOT EXISTS pos.mv_product_performance AS
SELECT
  s.date,
  COALESCE(s.product_category, '(none)') AS product_category,
  COALESCE(s.product_name, '(none)') AS product_name,
  count(*) AS total_sales,
  sum(s.item_cnt) AS total_quantity,
  sum(s.sales_net) AS total_revenue,
  sum(s.gross_profit) AS total_profit,
  sum(s.sales_cost) AS total_cost,
  count(DISTINCT s.receipt_number) AS unique_transactions,
  count(DISTINCT pos.customer_key(s.customer_phone_number)) AS unique_customers,
  round(avg(s.sales_net), 2) AS avg_sale_value,
  round(sum(s.gross_profit) / NULLIF(sum(s.sales_net), 0) * 100, 2) AS profit_margin_pct,
  sum(s.is_sim_usage) AS sim_usage_count,
  CASE WHEN sum(s.is_sim_usage) > 0 THEN 1 ELSE 0 END AS is_sim_product
FROM pos.lengolf_sales s
WHERE NOT s.is_voided
GROUP BY 1, 2, 3
WITH NO DATA;
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_product_performance_key ON pos.mv_product_performance (date, product_category, product_name);
CREATE INDEX IF NOT EXISTS idx_mv_product_performance_date_category ON pos.mv_product_performance (date, product_category);
CREATE INDEX IF NOT EXISTS idx_mv_product_performance_sim ON pos.mv_product_performance (date, is_sim_product);
COMMENT ON MATERIALIZED VIEW pos.mv_product_performance IS
  'Tier 2: sales per day, category and product. Missing category or name is shown as ''(none)'' so the key is never NULL and the view can be refreshed concurrently.';
