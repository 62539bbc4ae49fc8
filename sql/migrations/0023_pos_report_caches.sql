-- 0023: sales pack tier 3: dashboard summary cache and the weekly/monthly report caches.
-- Up Migration
CREATE MATERIALIZED VIEW IF NOT EXISTS pos.mv_dashboard_summary_cache AS
WITH periods AS (
  SELECT d.date AS reference_date, p.period_type, p.start_date, d.date AS end_date
  FROM pos.mv_daily_sales_summary d
  CROSS JOIN LATERAL (VALUES ('daily', d.date), ('last_7_days', d.date - 6), ('last_30_days', d.date - 29),
                             ('month_to_date', date_trunc('month', d.date)::date)) p(period_type, start_date)
)
SELECT
  p.reference_date, p.period_type, p.start_date, p.end_date,
  a.total_transactions, c.unique_customers, a.total_revenue, a.total_profit,
  a.sim_usage_count AS sim_utilization_count,
  round(a.total_revenue / NULLIF(a.total_transactions, 0), 2) AS avg_transaction_value,
  round(a.total_profit / NULLIF(a.total_revenue, 0) * 100, 2) AS gross_margin_pct,
  round(a.sim_usage_count / a.sim_capacity_hours * 100, 2) AS sim_utilization_pct,
  a.new_customers, a.avg_retention_rate_pct, a.trend_data
FROM periods p
CROSS JOIN LATERAL (
  SELECT sum(ds.total_transactions) AS total_transactions, sum(ds.total_revenue) AS total_revenue,
         sum(ds.total_profit) AS total_profit, sum(ds.sim_usage_count) AS sim_usage_count,
         sum(ds.sim_capacity_hours) AS sim_capacity_hours,
         COALESCE(sum(ca.new_customers), 0) AS new_customers,
         round(avg(ca.retention_rate_pct), 2) AS avg_retention_rate_pct,
         json_agg(json_build_object('date', ds.date, 'revenue', ds.total_revenue, 'profit', ds.total_profit,
                                    'customers', ds.total_customers, 'transactions', ds.total_transactions,
                                    'sim_utilization', ds.sim_utilization_pct) ORDER BY ds.date) AS trend_data
  FROM pos.mv_daily_sales_summary ds
  LEFT JOIN pos.mv_customer_analytics ca ON ca.date = ds.date
  WHERE ds.date BETWEEN p.start_date AND p.end_date
) a
CROSS JOIN LATERAL (
  SELECT count(DISTINCT id) AS unique_customers FROM pos.mv_customer_analytics ca, unnest(ca.customer_ids) id
  WHERE ca.date BETWEEN p.start_date AND p.end_date
) c
WITH NO DATA;
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_dashboard_summary_cache_key ON pos.mv_dashboard_summary_cache (reference_date, period_type);
CREATE INDEX IF NOT EXISTS idx_mv_dashboard_summary_cache_period ON pos.mv_dashboard_summary_cache (period_type, reference_date);
COMMENT ON MATERIALIZED VIEW pos.mv_dashboard_summary_cache IS
  'Tier 3: for every sales date, the daily, last-7-days, last-30-days and month-to-date periods ending on it: unique customers counted once per period, exact SIM utilisation, daily trend as JSON.';

CREATE MATERIALIZED VIEW IF NOT EXISTS pos.mv_weekly_reports_cache AS
SELECT
  w.week_number, w.year, w.week, w.week_start_date, w.week_end_date,
  w.week_start_date || ' - ' || w.week_end_date AS week_range,
  w.total_revenue, w.total_profit, w.total_transactions, w.total_customers,
  COALESCE(ca.new_customers, 0) AS new_customers,
  w.avg_transaction_value, w.gross_margin_pct, w.sim_utilization_pct, w.sim_usage_count,
  ca.retention AS customer_retention_rate,
  w.avg_transactions_per_day,
  prev.total_revenue AS prev_week_revenue, prev.total_profit AS prev_week_profit, prev.total_customers AS prev_week_customers,
  -- No previous week (or nothing to grow from): growth is unknown, not 0.
  CASE WHEN prev.total_revenue > 0 THEN round((w.total_revenue - prev.total_revenue) / prev.total_revenue * 100, 2) END AS revenue_growth_pct,
  CASE WHEN prev.total_profit > 0 THEN round((w.total_profit - prev.total_profit) / prev.total_profit * 100, 2) END AS profit_growth_pct,
  CASE WHEN prev.total_customers > 0 THEN round((w.total_customers - prev.total_customers)::numeric / prev.total_customers * 100, 2) END AS customer_growth_pct
FROM pos.mv_weekly_sales_summary w
LEFT JOIN pos.mv_weekly_sales_summary prev ON prev.week_start_date = w.week_start_date - 7
LEFT JOIN LATERAL (
  SELECT sum(c.new_customers) AS new_customers, round(avg(c.retention_rate_pct), 2) AS retention
  FROM pos.mv_customer_analytics c WHERE c.date BETWEEN w.week_start_date AND w.week_end_date
) ca ON true
WITH NO DATA;
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_weekly_reports_cache_week ON pos.mv_weekly_reports_cache (week_number);
CREATE INDEX IF NOT EXISTS idx_mv_weekly_reports_cache_year_week ON pos.mv_weekly_reports_cache (year, week);
CREATE INDEX IF NOT EXISTS idx_mv_weekly_reports_cache_range ON pos.mv_weekly_reports_cache (week_start_date, week_end_date);
COMMENT ON MATERIALIZED VIEW pos.mv_weekly_reports_cache IS
  'Tier 3: the weekly report rows with their week start/end dates, new customers, mean daily retention, and growth against the calendar week before (NULL when there is none).';

CREATE MATERIALIZED VIEW IF NOT EXISTS pos.mv_monthly_reports_cache AS
SELECT
  m.month_number, m.year, m.month, m.month_name, m.month_start_date, m.month_end_date,
  m.total_revenue, m.total_profit, m.total_transactions, m.total_customers,
  COALESCE(ca.new_customers, 0) AS new_customers,
  m.avg_transaction_value, m.gross_margin_pct, m.sim_utilization_pct, m.sim_usage_count,
  ca.retention AS customer_retention_rate,
  m.avg_transactions_per_day, m.working_days, m.peak_week, m.lowest_week,
  prev.total_revenue AS prev_month_revenue, prev.total_profit AS prev_month_profit, prev.total_customers AS prev_month_customers,
  CASE WHEN prev.total_revenue > 0 THEN round((m.total_revenue - prev.total_revenue) / prev.total_revenue * 100, 2) END AS revenue_growth_pct,
  CASE WHEN prev.total_profit > 0 THEN round((m.total_profit - prev.total_profit) / prev.total_profit * 100, 2) END AS profit_growth_pct,
  CASE WHEN prev.total_customers > 0 THEN round((m.total_customers - prev.total_customers)::numeric / prev.total_customers * 100, 2) END AS customer_growth_pct
FROM pos.mv_monthly_sales_summary m
LEFT JOIN pos.mv_monthly_sales_summary prev ON prev.month_start_date = (m.month_start_date - interval '1 month')::date
LEFT JOIN LATERAL (
  SELECT sum(c.new_customers) AS new_customers, round(avg(c.retention_rate_pct), 2) AS retention
  FROM pos.mv_customer_analytics c WHERE c.date BETWEEN m.month_start_date AND m.month_end_date
) ca ON true
WITH NO DATA;
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_monthly_reports_cache_month ON pos.mv_monthly_reports_cache (month_number);
CREATE INDEX IF NOT EXISTS idx_mv_monthly_reports_cache_year_month ON pos.mv_monthly_reports_cache (year, month);
COMMENT ON MATERIALIZED VIEW pos.mv_monthly_reports_cache IS
  'Tier 3: the monthly report rows with their month start/end dates, new customers, mean daily retention, peak/lowest week, and growth against the calendar month before (NULL when there is none).';
