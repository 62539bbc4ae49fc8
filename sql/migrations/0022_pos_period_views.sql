-- 0022: sales pack tier 1 weekly (ISO) and monthly summaries, with customers counted once per period.
-- Up Migration
CREATE MATERIALIZED VIEW IF NOT EXISTS pos.mv_weekly_sales_summary AS
WITH days AS (
  SELECT d.*, date_trunc('week', d.date)::date AS week_start FROM pos.mv_daily_sales_summary d
), customers AS (
  SELECT date_trunc('week', v.date)::date AS week_start, count(DISTINCT v.customer_key) AS n
  FROM pos.mv_customer_daily_visits v GROUP BY 1
)
SELECT
  -- ISO year with ISO week: 2024-12-30 belongs to 2025-W01.
  to_char(d.week_start, 'IYYY-"W"IW') AS week_number,
  extract(isoyear FROM d.week_start)::int AS year,
  extract(week FROM d.week_start)::int AS week,
  d.week_start AS week_start_date,
  d.week_start + 6 AS week_end_date,
  count(*) AS active_days,
  sum(d.total_transactions) AS total_transactions,
  COALESCE(max(c.n), 0) AS total_customers,
  sum(d.total_revenue) AS total_revenue,
  sum(d.total_profit) AS total_profit,
  sum(d.sim_usage_count) AS sim_usage_count,
  round(avg(d.total_revenue), 2) AS avg_daily_revenue,
  round(sum(d.total_revenue) / NULLIF(sum(d.total_transactions), 0), 2) AS avg_transaction_value,
  round(sum(d.total_profit) / NULLIF(sum(d.total_revenue), 0) * 100, 2) AS gross_margin_pct,
  sum(d.sim_capacity_hours) AS sim_capacity_hours,
  round(sum(d.sim_usage_count) / sum(d.sim_capacity_hours) * 100, 2) AS sim_utilization_pct,
  count(*) AS operating_days,
  round(sum(d.total_customers)::numeric / count(*), 2) AS avg_daily_customers,
  round(sum(d.total_transactions)::numeric / count(*), 2) AS avg_transactions_per_day,
  max(d.total_revenue) AS peak_day_revenue,
  min(d.total_revenue) AS lowest_day_revenue
FROM days d
LEFT JOIN customers c USING (week_start)
GROUP BY d.week_start
WITH NO DATA;
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_weekly_sales_summary_week ON pos.mv_weekly_sales_summary (week_number);
CREATE INDEX IF NOT EXISTS idx_mv_weekly_sales_summary_year_week ON pos.mv_weekly_sales_summary (year, week);
CREATE INDEX IF NOT EXISTS idx_mv_weekly_sales_summary_start ON pos.mv_weekly_sales_summary (week_start_date);
COMMENT ON MATERIALIZED VIEW pos.mv_weekly_sales_summary IS
  'Tier 1: one row per ISO week with sales (Monday to Sunday, ISO year). total_customers counts each customer once per week; utilisation is exact over the week''s operating days; avg_daily_customers averages the daily counts.';

CREATE MATERIALIZED VIEW IF NOT EXISTS pos.mv_monthly_sales_summary AS
WITH days AS (
  SELECT d.*, date_trunc('month', d.date)::date AS month_start FROM pos.mv_daily_sales_summary d
), customers AS (
  SELECT date_trunc('month', v.date)::date AS month_start, count(DISTINCT v.customer_key) AS n
  FROM pos.mv_customer_daily_visits v GROUP BY 1
), months AS (
  SELECT
    d.month_start,
    count(*) AS active_days,
    sum(d.total_transactions) AS total_transactions,
    sum(d.total_revenue) AS total_revenue,
    sum(d.total_profit) AS total_profit,
    sum(d.sim_usage_count) AS sim_usage_count,
    round(avg(d.total_revenue), 2) AS avg_daily_revenue,
    sum(d.sim_capacity_hours) AS sim_capacity_hours
  FROM days d GROUP BY d.month_start
)
SELECT
  to_char(m.month_start, 'YYYY-MM') AS month_number,
  extract(year FROM m.month_start)::int AS year,
  extract(month FROM m.month_start)::int AS month,
  to_char(m.month_start, 'FMMonth YYYY') AS month_name,
  m.month_start AS month_start_date,
  (m.month_start + interval '1 month' - interval '1 day')::date AS month_end_date,
  m.active_days,
  m.total_transactions,
  COALESCE(c.n, 0) AS total_customers,
  m.total_revenue,
  m.total_profit,
  m.sim_usage_count,
  m.avg_daily_revenue,
  round(m.total_revenue / NULLIF(m.total_transactions, 0), 2) AS avg_transaction_value,
  round(m.total_profit / NULLIF(m.total_revenue, 0) * 100, 2) AS gross_margin_pct,
  m.sim_capacity_hours,
  round(m.sim_usage_count / m.sim_capacity_hours * 100, 2) AS sim_utilization_pct,
  round(m.total_transactions::numeric / m.active_days, 2) AS avg_transactions_per_day,
  -- Peak and lowest of the weeks starting in the month (ties broken by the earlier week).
  (SELECT w.week_number FROM pos.mv_weekly_sales_summary w
   WHERE w.week_start_date >= m.month_start AND w.week_start_date < m.month_start + interval '1 month'
   ORDER BY w.total_revenue DESC, w.week_number LIMIT 1) AS peak_week,
  (SELECT w.week_number FROM pos.mv_weekly_sales_summary w
   WHERE w.week_start_date >= m.month_start AND w.week_start_date < m.month_start + interval '1 month'
   ORDER BY w.total_revenue ASC, w.week_number LIMIT 1) AS lowest_week,
  m.active_days AS working_days
FROM months m
LEFT JOIN customers c USING (month_start)
WITH NO DATA;
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_monthly_sales_summary_month ON pos.mv_monthly_sales_summary (month_number);
CREATE INDEX IF NOT EXISTS idx_mv_monthly_sales_summary_year_month ON pos.mv_monthly_sales_summary (year, month);
COMMENT ON MATERIALIZED VIEW pos.mv_monthly_sales_summary IS
  'Tier 1: one row per calendar month with sales. total_customers counts each customer once per month; peak_week/lowest_week are the ISO weeks starting in the month with the highest/lowest revenue.';
