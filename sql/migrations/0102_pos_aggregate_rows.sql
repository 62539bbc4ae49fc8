-- 0102: what each sales aggregate holds for a set of its keys: its view's definition (0021-0023), restricted to
-- those keys so that only the source rows behind them are read (index ranges, never a whole-table scan).
-- The *_rows functions have no SET clause on purpose: PostgreSQL inlines such a SQL function into the query that
-- calls it, so the planner sees the actual keys (and plans index ranges for a few days, a scan for all of them).
-- They are invoker functions, called by the refresh routines under mv_ops.refresh_step's pinned search_path,
-- and every name in them is schema-qualified.
-- Up Migration
CREATE OR REPLACE FUNCTION pos.week_starts(days date[])
RETURNS date[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT COALESCE(array_agg(DISTINCT date_trunc('week', d)::date ORDER BY date_trunc('week', d)::date), '{}') FROM unnest(days) d $$;
COMMENT ON FUNCTION pos.week_starts(date[]) IS 'The Mondays starting the ISO weeks that contain the dates.';

CREATE OR REPLACE FUNCTION pos.month_starts(days date[])
RETURNS date[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT COALESCE(array_agg(DISTINCT date_trunc('month', d)::date ORDER BY date_trunc('month', d)::date), '{}') FROM unnest(days) d $$;
COMMENT ON FUNCTION pos.month_starts(date[]) IS 'The first days of the calendar months that contain the dates.';

CREATE OR REPLACE FUNCTION pos.daily_sales_summary_rows(days date[])
RETURNS SETOF pos.mv_daily_sales_summary
LANGUAGE sql STABLE
AS $$
  SELECT a.*, cap.bay_hours,
         round(a.sim_usage_count / cap.bay_hours * 100, 2),
         round(a.total_revenue / NULLIF(a.total_transactions, 0), 2),
         round(a.total_profit / NULLIF(a.total_revenue, 0) * 100, 2)
  FROM (
    SELECT s.date, count(*), count(DISTINCT s.receipt_number), count(DISTINCT pos.customer_key(s.customer_phone_number)),
           sum(s.sales_net), sum(s.gross_profit), sum(s.sales_cost), sum(s.is_sim_usage), sum(s.item_cnt), avg(s.sales_net),
           min(s.sales_timestamp), max(s.sales_timestamp), sum(s.sales_total), sum(s.sales_vat), sum(s.sales_discount),
           count(DISTINCT pos.customer_key(s.customer_phone_number)) FILTER (WHERE s.is_sim_usage > 0),
           count(DISTINCT s.product_name),
           count(DISTINCT s.receipt_number) FILTER (WHERE s.payment_method = 'Cash'),
           count(DISTINCT s.receipt_number) FILTER (WHERE s.payment_method = 'Card'),
           count(DISTINCT s.receipt_number) FILTER (WHERE s.payment_method LIKE '%QR%')
    FROM pos.lengolf_sales s
    WHERE NOT s.is_voided AND s.date = ANY (days)
    GROUP BY s.date
  ) a(date, total_line_items, total_transactions, total_customers, total_revenue, total_profit, total_cost, sim_usage_count,
      total_items_sold, avg_line_item_value, first_transaction_time, last_transaction_time, revenue_incl_vat, total_vat,
      total_discounts, sim_customers, unique_products_sold, cash_transactions, card_transactions, qr_transactions)
  CROSS JOIN LATERAL (
    SELECT c.bays * c.operating_hours AS bay_hours FROM pos.bay_capacity c
    WHERE c.effective_from <= a.date ORDER BY c.effective_from DESC LIMIT 1
  ) cap
$$;
COMMENT ON FUNCTION pos.daily_sales_summary_rows(date[]) IS 'pos.mv_daily_sales_summary''s rows for these business dates, from pos.lengolf_sales (the view definition of 0021).';

CREATE OR REPLACE FUNCTION pos.customer_visit_facts(days date[])
RETURNS TABLE (date date, customer_key text, transactions bigint, revenue numeric, line_items bigint, sim_usage bigint)
LANGUAGE sql STABLE
-- The planner's guess for what it returns: about one day's customers (it is called for a day or a batch's few days
-- on every hot path; a full refresh only copies its rows into a table).
ROWS 300
AS $$
  SELECT s.date, pos.customer_key(s.customer_phone_number), count(DISTINCT s.receipt_number), sum(s.sales_net),
         count(*), sum(s.is_sim_usage)
  FROM pos.lengolf_sales s
  WHERE NOT s.is_voided AND pos.customer_key(s.customer_phone_number) IS NOT NULL AND s.date = ANY (days)
  GROUP BY 1, 2
$$;
COMMENT ON FUNCTION pos.customer_visit_facts(date[]) IS
  'Identified customers'' purchases per day on these dates (pos.mv_customer_daily_visits without is_first_visit, which depends on every other day).';

CREATE OR REPLACE FUNCTION pos.customer_analytics_rows(days date[])
RETURNS SETOF pos.mv_customer_analytics
LANGUAGE sql STABLE
AS $$
  SELECT v.date, count(*), count(*) FILTER (WHERE v.is_first_visit), count(*) FILTER (WHERE NOT v.is_first_visit),
         sum(v.transactions), sum(v.revenue), sum(v.sim_usage), round(avg(v.revenue), 2), round(avg(v.transactions), 2),
         round(count(*) FILTER (WHERE NOT v.is_first_visit)::numeric / count(*) * 100, 2),
         array_agg(c.customer_id ORDER BY c.customer_id)
  FROM pos.mv_customer_daily_visits v
  JOIN pos.customer c ON c.customer_key = v.customer_key
  WHERE v.date = ANY (days)
  GROUP BY v.date
$$;
COMMENT ON FUNCTION pos.customer_analytics_rows(date[]) IS 'pos.mv_customer_analytics''s rows for these dates, from pos.mv_customer_daily_visits, with stable ids from pos.customer.';

CREATE OR REPLACE FUNCTION pos.product_performance_rows(days date[])
RETURNS SETOF pos.mv_product_performance
LANGUAGE sql STABLE
AS $$
  SELECT s.date, COALESCE(s.product_category, '(none)'), COALESCE(s.product_name, '(none)'),
         count(*), sum(s.item_cnt), sum(s.sales_net), sum(s.gross_profit), sum(s.sales_cost),
         count(DISTINCT s.receipt_number), count(DISTINCT pos.customer_key(s.customer_phone_number)),
         round(avg(s.sales_net), 2), round(sum(s.gross_profit) / NULLIF(sum(s.sales_net), 0) * 100, 2),
         sum(s.is_sim_usage), CASE WHEN sum(s.is_sim_usage) > 0 THEN 1 ELSE 0 END
  FROM pos.lengolf_sales s
  WHERE NOT s.is_voided AND s.date = ANY (days)
  GROUP BY 1, 2, 3
$$;
COMMENT ON FUNCTION pos.product_performance_rows(date[]) IS 'pos.mv_product_performance''s rows for these dates, from pos.lengolf_sales.';

CREATE OR REPLACE FUNCTION pos.weekly_sales_summary_rows(weeks date[])
RETURNS SETOF pos.mv_weekly_sales_summary
LANGUAGE sql STABLE
AS $$
  WITH w AS (SELECT DISTINCT ws FROM unnest(weeks) ws),
  days AS (
    SELECT d.*, w.ws AS week_start FROM w JOIN pos.mv_daily_sales_summary d ON d.date >= w.ws AND d.date < w.ws + 7
  ), customers AS (
    SELECT w.ws AS week_start, count(DISTINCT v.customer_key) AS n
    FROM w JOIN pos.mv_customer_daily_visits v ON v.date >= w.ws AND v.date < w.ws + 7 GROUP BY 1
  )
  SELECT to_char(d.week_start, 'IYYY-"W"IW'), extract(isoyear FROM d.week_start)::int, extract(week FROM d.week_start)::int,
         d.week_start, d.week_start + 6, count(*), sum(d.total_transactions), COALESCE(max(c.n), 0), sum(d.total_revenue),
         sum(d.total_profit), sum(d.sim_usage_count), round(avg(d.total_revenue), 2),
         round(sum(d.total_revenue) / NULLIF(sum(d.total_transactions), 0), 2),
         round(sum(d.total_profit) / NULLIF(sum(d.total_revenue), 0) * 100, 2),
         sum(d.sim_capacity_hours), round(sum(d.sim_usage_count) / sum(d.sim_capacity_hours) * 100, 2), count(*),
         round(sum(d.total_customers)::numeric / count(*), 2), round(sum(d.total_transactions)::numeric / count(*), 2),
         max(d.total_revenue), min(d.total_revenue)
  FROM days d
  LEFT JOIN customers c USING (week_start)
  GROUP BY d.week_start
$$;
COMMENT ON FUNCTION pos.weekly_sales_summary_rows(date[]) IS
  'pos.mv_weekly_sales_summary''s rows for the ISO weeks starting on these Mondays, from the daily summary and customer visits of those weeks only.';

CREATE OR REPLACE FUNCTION pos.monthly_sales_summary_rows(months date[])
RETURNS SETOF pos.mv_monthly_sales_summary
LANGUAGE sql STABLE
AS $$
  WITH ms AS (SELECT DISTINCT m AS month_start, (m + interval '1 month')::date AS next_month FROM unnest(months) m),
  customers AS (
    SELECT ms.month_start, count(DISTINCT v.customer_key) AS n
    FROM ms JOIN pos.mv_customer_daily_visits v ON v.date >= ms.month_start AND v.date < ms.next_month GROUP BY 1
  ), m AS (
    SELECT ms.month_start, ms.next_month, count(*) AS active_days, sum(d.total_transactions) AS total_transactions,
           sum(d.total_revenue) AS total_revenue, sum(d.total_profit) AS total_profit, sum(d.sim_usage_count) AS sim_usage_count,
           round(avg(d.total_revenue), 2) AS avg_daily_revenue, sum(d.sim_capacity_hours) AS sim_capacity_hours
    FROM ms JOIN pos.mv_daily_sales_summary d ON d.date >= ms.month_start AND d.date < ms.next_month
    GROUP BY ms.month_start, ms.next_month
  )
  SELECT to_char(m.month_start, 'YYYY-MM'), extract(year FROM m.month_start)::int, extract(month FROM m.month_start)::int,
         to_char(m.month_start, 'FMMonth YYYY'), m.month_start, (m.month_start + interval '1 month' - interval '1 day')::date,
         m.active_days, m.total_transactions, COALESCE(c.n, 0), m.total_revenue, m.total_profit, m.sim_usage_count,
         m.avg_daily_revenue, round(m.total_revenue / NULLIF(m.total_transactions, 0), 2),
         round(m.total_profit / NULLIF(m.total_revenue, 0) * 100, 2), m.sim_capacity_hours,
         round(m.sim_usage_count / m.sim_capacity_hours * 100, 2), round(m.total_transactions::numeric / m.active_days, 2),
         (SELECT w.week_number FROM pos.mv_weekly_sales_summary w
          WHERE w.week_start_date >= m.month_start AND w.week_start_date < m.next_month
          ORDER BY w.total_revenue DESC, w.week_number LIMIT 1),
         (SELECT w.week_number FROM pos.mv_weekly_sales_summary w
          WHERE w.week_start_date >= m.month_start AND w.week_start_date < m.next_month
          ORDER BY w.total_revenue ASC, w.week_number LIMIT 1),
         m.active_days
  FROM m
  LEFT JOIN customers c USING (month_start)
$$;
COMMENT ON FUNCTION pos.monthly_sales_summary_rows(date[]) IS
  'pos.mv_monthly_sales_summary''s rows for the months starting on these dates, from the daily summary, customer visits and weeks of those months only.';

CREATE OR REPLACE FUNCTION pos.dashboard_summary_cache_rows(reference_dates date[])
RETURNS SETOF pos.mv_dashboard_summary_cache
LANGUAGE sql STABLE
AS $$
  WITH periods AS (
    SELECT d.date AS reference_date, p.period_type, p.start_date, d.date AS end_date
    FROM pos.mv_daily_sales_summary d
    CROSS JOIN LATERAL (VALUES ('daily', d.date), ('last_7_days', d.date - 6), ('last_30_days', d.date - 29),
                               ('month_to_date', date_trunc('month', d.date)::date)) p(period_type, start_date)
    WHERE d.date = ANY (reference_dates)
  ),
  span AS (SELECT min(p.start_date) AS lo, max(p.end_date) AS hi FROM periods p),
  -- Distinct customers of many overlapping periods without a distinct per period: a customer counts once in a
  -- period, on the first of its days there, i.e. the day whose previous visit (gap days before) is before the
  -- period's start. So per day, how many customers had no visit in the k days before it (k = 0..30, the most a
  -- period reaches back), and per period the sum of those counts at k = day - start.
  gaps AS MATERIALIZED (
    SELECT v.date, LEAST(v.gap, 31) AS gap, count(*) AS n
    FROM (SELECT ca.date, ca.date - lag(ca.date) OVER (PARTITION BY id ORDER BY ca.date) AS gap
          FROM span JOIN pos.mv_customer_analytics ca ON ca.date BETWEEN span.lo AND span.hi
          CROSS JOIN LATERAL unnest(ca.customer_ids) id) v
    GROUP BY 1, 2
  ),
  new_since AS MATERIALIZED (
    SELECT g.date, k, sum(g.n) FILTER (WHERE g.gap IS NULL OR g.gap > k) AS n
    FROM gaps g CROSS JOIN generate_series(0, 30) k
    GROUP BY 1, 2
  ),
  uniq AS (
    SELECT p.reference_date, p.period_type, sum(ns.n)::bigint AS n
    FROM periods p
    CROSS JOIN LATERAL generate_series(0, p.end_date - p.start_date) back(k)
    JOIN new_since ns ON ns.date = p.start_date + back.k AND ns.k = back.k
    GROUP BY 1, 2
  )
  SELECT p.reference_date, p.period_type, p.start_date, p.end_date,
         a.total_transactions, COALESCE(uc.unique_customers, 0), a.total_revenue, a.total_profit, a.sim_usage_count,
         round(a.total_revenue / NULLIF(a.total_transactions, 0), 2),
         round(a.total_profit / NULLIF(a.total_revenue, 0) * 100, 2),
         round(a.sim_usage_count / a.sim_capacity_hours * 100, 2),
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
  -- A join, not a lookup per period: a full refresh has thousands of periods.
  LEFT JOIN (SELECT u.reference_date, u.period_type, u.n AS unique_customers FROM uniq u) uc
    ON uc.reference_date = p.reference_date AND uc.period_type = p.period_type
$$;
COMMENT ON FUNCTION pos.dashboard_summary_cache_rows(date[]) IS
  'pos.mv_dashboard_summary_cache''s rows (four periods each) for these reference dates, from the daily summary and customer analytics.';

CREATE OR REPLACE FUNCTION pos.weekly_reports_cache_rows(weeks date[])
RETURNS SETOF pos.mv_weekly_reports_cache
LANGUAGE sql STABLE
AS $$
  SELECT w.week_number, w.year, w.week, w.week_start_date, w.week_end_date,
         -- to_char, not date text: the same whatever the session's DateStyle.
         to_char(w.week_start_date, 'YYYY-MM-DD') || ' - ' || to_char(w.week_end_date, 'YYYY-MM-DD'),
         w.total_revenue, w.total_profit, w.total_transactions, w.total_customers,
         COALESCE(ca.new_customers, 0),
         w.avg_transaction_value, w.gross_margin_pct, w.sim_utilization_pct, w.sim_usage_count,
         ca.retention, w.avg_transactions_per_day,
         prev.total_revenue, prev.total_profit, prev.total_customers,
         CASE WHEN prev.total_revenue > 0 THEN round((w.total_revenue - prev.total_revenue) / prev.total_revenue * 100, 2) END,
         CASE WHEN prev.total_profit > 0 THEN round((w.total_profit - prev.total_profit) / prev.total_profit * 100, 2) END,
         CASE WHEN prev.total_customers > 0 THEN round((w.total_customers - prev.total_customers)::numeric / prev.total_customers * 100, 2) END
  FROM pos.mv_weekly_sales_summary w
  LEFT JOIN pos.mv_weekly_sales_summary prev ON prev.week_start_date = w.week_start_date - 7
  LEFT JOIN LATERAL (
    SELECT sum(c.new_customers) AS new_customers, round(avg(c.retention_rate_pct), 2) AS retention
    FROM pos.mv_customer_analytics c WHERE c.date BETWEEN w.week_start_date AND w.week_end_date
  ) ca ON true
  WHERE w.week_start_date = ANY (weeks)
$$;
COMMENT ON FUNCTION pos.weekly_reports_cache_rows(date[]) IS 'pos.mv_weekly_reports_cache''s rows for the weeks starting on these Mondays.';

CREATE OR REPLACE FUNCTION pos.monthly_reports_cache_rows(months date[])
RETURNS SETOF pos.mv_monthly_reports_cache
LANGUAGE sql STABLE
AS $$
  SELECT m.month_number, m.year, m.month, m.month_name, m.month_start_date, m.month_end_date,
         m.total_revenue, m.total_profit, m.total_transactions, m.total_customers,
         COALESCE(ca.new_customers, 0),
         m.avg_transaction_value, m.gross_margin_pct, m.sim_utilization_pct, m.sim_usage_count,
         ca.retention, m.avg_transactions_per_day, m.working_days, m.peak_week, m.lowest_week,
         prev.total_revenue, prev.total_profit, prev.total_customers,
         CASE WHEN prev.total_revenue > 0 THEN round((m.total_revenue - prev.total_revenue) / prev.total_revenue * 100, 2) END,
         CASE WHEN prev.total_profit > 0 THEN round((m.total_profit - prev.total_profit) / prev.total_profit * 100, 2) END,
         CASE WHEN prev.total_customers > 0 THEN round((m.total_customers - prev.total_customers)::numeric / prev.total_customers * 100, 2) END
  FROM pos.mv_monthly_sales_summary m
  LEFT JOIN pos.mv_monthly_sales_summary prev ON prev.month_start_date = (m.month_start_date - interval '1 month')::date
  LEFT JOIN LATERAL (
    SELECT sum(c.new_customers) AS new_customers, round(avg(c.retention_rate_pct), 2) AS retention
    FROM pos.mv_customer_analytics c WHERE c.date BETWEEN m.month_start_date AND m.month_end_date
  ) ca ON true
  WHERE m.month_start_date = ANY (months)
$$;
COMMENT ON FUNCTION pos.monthly_reports_cache_rows(date[]) IS 'pos.mv_monthly_reports_cache''s rows for the months starting on these dates.';

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['pos.week_starts(date[])', 'pos.month_starts(date[])', 'pos.daily_sales_summary_rows(date[])',
                           'pos.customer_visit_facts(date[])', 'pos.customer_analytics_rows(date[])', 'pos.product_performance_rows(date[])',
                           'pos.weekly_sales_summary_rows(date[])', 'pos.monthly_sales_summary_rows(date[])',
                           'pos.dashboard_summary_cache_rows(date[])', 'pos.weekly_reports_cache_rows(date[])',
                           'pos.monthly_reports_cache_rows(date[])'] LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END
$$;
-- No grant: the refresh routines (owner) call them; readers read the tables.
