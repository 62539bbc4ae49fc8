-- 0125: the dashboard cache's incremental refresh recomputes and compares only the periods that hold a changed day
-- (mv_ops.apply_parts, 0124): a day's daily period, the last-7-days periods of the 7 dates from it, the last-30-days
-- periods of the 30 and the month-to-date periods to its month's end, not all four periods of each of those dates.
-- For a 15-minute batch (today, and a day corrected long ago) that is 58 of 124 rows. The rows function takes
-- the periods wanted; without them (a full refresh) it computes all four, as before.
-- Up Migration

CREATE FUNCTION pos.dashboard_summary_period_rows(reference_dates date[], period_types text[])
RETURNS SETOF pos.mv_dashboard_summary_cache
LANGUAGE sql STABLE
AS $$
  WITH periods AS MATERIALIZED (
    SELECT d.date AS reference_date, p.period_type, p.start_date, d.date AS end_date
    FROM pos.mv_daily_sales_summary d
    CROSS JOIN LATERAL (VALUES ('daily', d.date), ('last_7_days', d.date - 6), ('last_30_days', d.date - 29),
                               ('month_to_date', date_trunc('month', d.date)::date)) p(period_type, start_date)
    WHERE d.date = ANY (reference_dates)
      -- Without period types, every period of the dates (a constant NULL: the planner drops the test).
      AND (period_types IS NULL OR (d.date, p.period_type) IN (SELECT * FROM unnest(reference_dates, period_types)))
  ),
  -- Each period's days, k days after its start. A constant series (a period is at most 31 days), so the planner
  -- estimates a few days per period rather than its default 1000 rows, which would price the query high enough
  -- for JIT compilation that costs far more than the query.
  period_days AS MATERIALIZED (
    SELECT p.reference_date, p.period_type, p.start_date + back.k AS date, back.k
    FROM periods p CROSS JOIN generate_series(0, 30) back(k)
    WHERE back.k <= p.end_date - p.start_date
  ),
  -- A customer counts once in a period, on the first of its days there: the day k days after the period's start
  -- whose customers had not bought in the k days before it (all of them on the first day).
  uniq AS (
    SELECT pd.reference_date, pd.period_type,
           sum(CASE WHEN pd.k = 0 THEN ca.total_unique_customers ELSE ca.not_seen_within[pd.k] END)::bigint AS n
    FROM period_days pd
    JOIN pos.mv_customer_analytics ca ON ca.date = pd.date
    GROUP BY 1, 2
  ),
  -- Each day's figures and trend entry once, however many periods contain it.
  days AS MATERIALIZED (
    SELECT ds.date, ds.total_transactions, ds.total_revenue, ds.total_profit, ds.sim_usage_count, ds.sim_capacity_hours,
           ca.new_customers, ca.retention_rate_pct,
           json_build_object('date', ds.date, 'revenue', ds.total_revenue, 'profit', ds.total_profit,
                             'customers', ds.total_customers, 'transactions', ds.total_transactions,
                             'sim_utilization', ds.sim_utilization_pct) AS trend
    FROM (SELECT DISTINCT pd.date FROM period_days pd) u
    JOIN pos.mv_daily_sales_summary ds ON ds.date = u.date
    LEFT JOIN pos.mv_customer_analytics ca ON ca.date = ds.date
  ),
  figures AS (
    SELECT pd.reference_date, pd.period_type,
           sum(d.total_transactions) AS total_transactions, sum(d.total_revenue) AS total_revenue,
           sum(d.total_profit) AS total_profit, sum(d.sim_usage_count) AS sim_usage_count,
           sum(d.sim_capacity_hours) AS sim_capacity_hours,
           COALESCE(sum(d.new_customers), 0) AS new_customers,
           round(avg(d.retention_rate_pct), 2) AS avg_retention_rate_pct,
           json_agg(d.trend ORDER BY d.date) AS trend_data
    FROM period_days pd
    JOIN days d ON d.date = pd.date
    GROUP BY 1, 2
  )
  SELECT p.reference_date, p.period_type, p.start_date, p.end_date,
         a.total_transactions, COALESCE(uc.n, 0), a.total_revenue, a.total_profit, a.sim_usage_count,
         round(a.total_revenue / NULLIF(a.total_transactions, 0), 2),
         round(a.total_profit / NULLIF(a.total_revenue, 0) * 100, 2),
         round(a.sim_usage_count / a.sim_capacity_hours * 100, 2),
         a.new_customers, a.avg_retention_rate_pct, a.trend_data
  FROM periods p
  JOIN figures a ON a.reference_date = p.reference_date AND a.period_type = p.period_type
  LEFT JOIN uniq uc ON uc.reference_date = p.reference_date AND uc.period_type = p.period_type
$$;
COMMENT ON FUNCTION pos.dashboard_summary_period_rows(date[], text[]) IS
  'pos.mv_dashboard_summary_cache''s rows for the (reference_dates[i], period_types[i]) pairs, or for all four periods of each reference date when period_types is NULL: from the daily summary and customer analytics (unique customers from its not_seen_within counts); each day''s figures and trend entry are built once however many periods hold it.';
REVOKE ALL ON FUNCTION pos.dashboard_summary_period_rows(date[], text[]) FROM PUBLIC;
-- No grant: the refresh routine (owner) calls it; readers read the table.

-- One definition of the rows: a full refresh's (mv_ops.apply_keyed takes a function of the keys alone). Both calls
-- are inlined with the constants they are given, so the full refresh is planned as before.
CREATE OR REPLACE FUNCTION pos.dashboard_summary_cache_rows(reference_dates date[])
RETURNS SETOF pos.mv_dashboard_summary_cache
LANGUAGE sql STABLE
AS $$
  SELECT * FROM pos.dashboard_summary_period_rows(reference_dates, NULL)
$$;
COMMENT ON FUNCTION pos.dashboard_summary_cache_rows(date[]) IS
  'pos.mv_dashboard_summary_cache''s rows (four periods each) for these reference dates (pos.dashboard_summary_period_rows).';

-- For reference date r, the daily period starts on r, the last 7 and 30 days on r - 6 and r - 29, month to date on
-- the 1st of r's month; it holds day d when it starts on or before d and r >= d.
CREATE FUNCTION pos.dashboard_periods_holding(days date[])
RETURNS TABLE(reference_date date, period_type text)
LANGUAGE sql IMMUTABLE
AS $$
  SELECT DISTINCT d + k, p.period_type
  FROM unnest(days) d
  CROSS JOIN LATERAL (VALUES ('daily', 0), ('last_7_days', 6), ('last_30_days', 29),
                             ('month_to_date', (date_trunc('month', d::timestamp) + interval '1 month - 1 day')::date - d)) p(period_type, reach)
  CROSS JOIN generate_series(0, p.reach) k
$$;
COMMENT ON FUNCTION pos.dashboard_periods_holding(date[]) IS
  'The dashboard cache''s (reference_date, period_type) periods that hold any of these days, whether or not the cache has them (a reference date after the data''s last day has none).';
REVOKE ALL ON FUNCTION pos.dashboard_periods_holding(date[]) FROM PUBLIC;
-- No grant: the refresh routine (owner) calls it.

CREATE OR REPLACE FUNCTION pos.refresh_dashboard_summary_cache()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  changed date[];
  refs date[];
  periods text[];
BEGIN
  IF pos.full_refresh() THEN
    PERFORM mv_ops.apply_keyed('pos.mv_dashboard_summary_cache', 'reference_date', 'pos.dashboard_summary_cache_rows',
                               ARRAY(SELECT d.date FROM pos.mv_daily_sales_summary d ORDER BY 1), true);
    RETURN;
  END IF;
  -- A reference date whose day came or went is a changed day itself, so all four of its periods are listed, and
  -- written or deleted.
  -- Taken once into a variable: inside the query, the planner would also run it to size the unnest.
  changed := pos.changed_days('pos.mv_daily_sales_summary', 'pos.mv_customer_analytics');
  SELECT COALESCE(array_agg(h.reference_date ORDER BY h.reference_date, h.period_type), '{}'), COALESCE(array_agg(h.period_type ORDER BY h.reference_date, h.period_type), '{}')
  INTO refs, periods
  FROM pos.dashboard_periods_holding(changed) h;
  IF cardinality(refs) = 0 THEN
    PERFORM mv_ops.note_applied(0, 0);
    RETURN;
  END IF;
  -- A change across much of the history (a bulk correction): every period of those dates, through an analyzed temp
  -- table (mv_ops.apply_keyed beyond 100 keys). Thousands of ~5 kB rows in an array would compare without
  -- statistics, and a set of their texts larger than work_mem is not hashed.
  IF cardinality(refs) > 400 THEN
    PERFORM mv_ops.apply_keyed('pos.mv_dashboard_summary_cache', 'reference_date', 'pos.dashboard_summary_cache_rows',
                               ARRAY(SELECT DISTINCT r FROM unnest(refs) r ORDER BY 1));
    RETURN;
  END IF;
  -- The pairs as literals, as mv_ops.apply_keyed does: the rows function is inlined and planned for them.
  EXECUTE format('SELECT mv_ops.apply_parts($1, $2, $3, $4, $5, ARRAY(SELECT r FROM pos.dashboard_summary_period_rows(%L::date[], %L::text[]) r))',
                 refs, periods)
    USING 'pos.mv_dashboard_summary_cache'::regclass, 'reference_date'::name, 'period_type'::name, refs, periods;
END
$$;
COMMENT ON FUNCTION pos.refresh_dashboard_summary_cache() IS
  'The refresh routine of pos.mv_dashboard_summary_cache (registered in mv_ops, which calls it as the owner): full when mv_ops.refresh_mode is full (mv_ops.apply_keyed), else only the periods that hold a date its sources changed (mv_ops.refresh_keys, pos.dashboard_periods_holding; every period of those dates when they are more than 400); writes only rows that differ (mv_ops.apply_parts, or mv_ops.apply_keyed beyond 400 periods).';
