-- 0109: the dashboard summary's first call in a new session read ~700 shared buffers of catalogs (target 500): without today it is now one plpgsql function reading pos.setting once and pos.mv_dashboard_summary_cache (KPIs and trend), ~375; pos.customer_key is inlinable.
-- Up Migration

-- The customer definition, unchanged in result, as a plain expression: without the SET clause PostgreSQL inlines it
-- into the queries (and the expression of idx_lengolf_sales_customer_first_date) instead of calling a function with
-- its own search_path for every row. Inlined code is parsed with the caller's search_path, so every name in it is
-- schema-qualified; NULLIF (which looks '=' up by name) is written as the CASE it stands for.
-- NULLIF(NULLIF(t, ''), '-') is NULL exactly when t is NULL, '' or '-', else t.
CREATE OR REPLACE FUNCTION pos.customer_key(phone text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN pg_catalog.btrim(phone) OPERATOR(pg_catalog.=) '' OR pg_catalog.btrim(phone) OPERATOR(pg_catalog.=) '-'
              THEN NULL ELSE pg_catalog.btrim(phone) END
$$;
COMMENT ON FUNCTION pos.customer_key(text) IS
  'The one definition of a customer: the trimmed phone number, or NULL for the walk-in placeholders (NULL, '''', ''-''). Every view and function counts customers through it. Inlinable (no SET clause, every name schema-qualified): same results as before 0109, so idx_lengolf_sales_customer_first_date stays valid.';

-- A range the dashboard cache does not hold, from the stored days: what pos.period_summary_with computes without a
-- live tail, as one SQL statement (planned only when a period is not cached). Written for a cheap first call: the
-- constants are numeric, so every operator has an exact match (numeric / integer would make the parser weigh every
-- '/' and '=' against every cast); the distinct count names its ordering operator (no type cache lookup for integer).
-- Same values as 0105's: sum(bigint) is numeric, and 0 and 100 were cast to numeric implicitly.
CREATE OR REPLACE FUNCTION pos.stored_period_summary(from_date date, to_date date)
RETURNS json
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT json_build_object(
    'total_revenue', COALESCE(sum(ds.total_revenue), 0::numeric),
    'gross_profit', COALESCE(sum(ds.total_profit), 0::numeric),
    'transaction_count', COALESCE(sum(ds.total_transactions), 0::numeric),
    -- Distinct over the whole range: a customer who came on three days counts once.
    'unique_customers', (SELECT count(DISTINCT u.id ORDER BY u.id USING OPERATOR(pg_catalog.<))
                         FROM (SELECT unnest(c.customer_ids) AS id FROM pos.mv_customer_analytics c
                               WHERE c.date BETWEEN from_date AND to_date) u),
    'avg_transaction_value', round(sum(ds.total_revenue) / NULLIF(sum(ds.total_transactions), 0::numeric), 2),
    'gross_margin_pct', round(sum(ds.total_profit) / NULLIF(sum(ds.total_revenue), 0::numeric) * 100::numeric, 2),
    'sim_utilization_pct', round(sum(ds.sim_usage_count) / NULLIF(sum(ds.sim_capacity_hours), 0::numeric) * 100::numeric, 2),
    'sim_utilization_count', COALESCE(sum(ds.sim_usage_count), 0::numeric),
    'new_customers', COALESCE(sum(ca.new_customers), 0::numeric))
  FROM pos.mv_daily_sales_summary ds
  LEFT JOIN pos.mv_customer_analytics ca ON ca.date = ds.date AND ca.date BETWEEN from_date AND to_date
  WHERE ds.date BETWEEN from_date AND to_date
$$;
COMMENT ON FUNCTION pos.stored_period_summary(date, date) IS
  'KPIs of a date range from the stored days only (daily summary, customer analytics): sums, exact distinct customers, exact SIM utilisation. The dashboard summary''s fallback for a range without today that the dashboard cache does not hold.';
REVOKE ALL ON FUNCTION pos.stored_period_summary(date, date) FROM PUBLIC;
-- Readers of the dashboard summary (which runs with their rights) compute an uncached period through it.
GRANT EXECUTE ON FUNCTION pos.stored_period_summary(date, date) TO mv_ops_reader;

-- The first call in a new session pays for every catalog row its statements need (functions, relations, indexes,
-- operators, statistics, type cache entries): 0105's chain (check_date_range twice, live_tail_for -> live_tail_day
-- reading pos.setting twice, period_summary_with twice, period_trend_with -> days_now joining the daily summary and
-- customer analytics, the pos.live_tail composite) read about 700 shared buffers of catalogs for a range without
-- today. Without today, everything here comes from pos.setting (the time zone, one row) and
-- pos.mv_dashboard_summary_cache: a cached period is one row, and the trend is the cache's daily rows, whose columns
-- are the daily summary's (dashboard_summary_cache_rows: sums over one day, round(...) as in
-- daily_sales_summary_rows, new customers COALESCEd to 0 as the trend shows them), so KPIs and trend now come from
-- the same refresh of the cache. With today in one of the ranges and zero-lag reads on, the 0105 path computes the
-- live tail once as before. Results are those of 0105 text for text (test/sales/report-functions.test.ts,
-- dashboard-first-call.test.ts).
CREATE OR REPLACE FUNCTION pos.get_dashboard_summary_enhanced_mv(
  start_date date, end_date date, comparison_start_date date, comparison_end_date date)
RETURNS json
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
  tz text;
  today date;
BEGIN
  -- pos.check_date_range's checks and messages, inline (one function fewer to compile).
  IF start_date IS NULL OR end_date IS NULL THEN
    RAISE EXCEPTION 'the period needs both a start and an end date' USING ERRCODE = '22004';
  ELSIF start_date > end_date THEN
    RAISE EXCEPTION 'the period starts on % after it ends on %', start_date, end_date USING ERRCODE = '22023';
  ELSIF comparison_start_date IS NULL OR comparison_end_date IS NULL THEN
    RAISE EXCEPTION 'the comparison period needs both a start and an end date' USING ERRCODE = '22004';
  ELSIF comparison_start_date > comparison_end_date THEN
    RAISE EXCEPTION 'the comparison period starts on % after it ends on %', comparison_start_date, comparison_end_date
      USING ERRCODE = '22023';
  END IF;
  -- Today in the venue's time zone, from the real clock as pos.live_tail_day has it. zero_lag_reads matters only when
  -- one of the ranges contains today, so it is read only then.
  SELECT s.value INTO tz FROM pos.setting s WHERE s.name = 'time_zone';
  today := (pg_catalog.now() AT TIME ZONE tz)::date;
  IF (today >= start_date AND today <= end_date OR today >= comparison_start_date AND today <= comparison_end_date)
     AND EXISTS (SELECT FROM pos.setting s WHERE s.name = 'zero_lag_reads' AND s.value = 'on') THEN
    -- Today is read live once for the whole call (0105).
    RETURN (SELECT json_build_object(
                     'current_period', pos.period_summary_with(start_date, end_date, t),
                     'comparison_period', pos.period_summary_with(comparison_start_date, comparison_end_date, t),
                     'trend_data', pos.period_trend_with(start_date, end_date, t))
            FROM pos.live_tail_for(least(start_date, comparison_start_date), greatest(end_date, comparison_end_date)) t);
  END IF;
  -- Stored rows only. ORDER BY ... USING names the ordering operator, so the first call does not look up date's
  -- default btree and hash operator classes (a scan of pg_opclass each); the order is the same as ORDER BY date.
  RETURN json_build_object(
    'current_period', COALESCE(
      (SELECT json_build_object('total_revenue', c.total_revenue, 'gross_profit', c.total_profit,
                                'transaction_count', c.total_transactions, 'unique_customers', c.unique_customers,
                                'avg_transaction_value', c.avg_transaction_value, 'gross_margin_pct', c.gross_margin_pct,
                                'sim_utilization_pct', c.sim_utilization_pct, 'sim_utilization_count', c.sim_utilization_count,
                                'new_customers', c.new_customers)
       FROM pos.mv_dashboard_summary_cache c WHERE c.reference_date = end_date AND c.start_date = start_date LIMIT 1),
      pos.stored_period_summary(start_date, end_date)),
    'comparison_period', COALESCE(
      (SELECT json_build_object('total_revenue', c.total_revenue, 'gross_profit', c.total_profit,
                                'transaction_count', c.total_transactions, 'unique_customers', c.unique_customers,
                                'avg_transaction_value', c.avg_transaction_value, 'gross_margin_pct', c.gross_margin_pct,
                                'sim_utilization_pct', c.sim_utilization_pct, 'sim_utilization_count', c.sim_utilization_count,
                                'new_customers', c.new_customers)
       FROM pos.mv_dashboard_summary_cache c
       WHERE c.reference_date = comparison_end_date AND c.start_date = comparison_start_date LIMIT 1),
      pos.stored_period_summary(comparison_start_date, comparison_end_date)),
    'trend_data', (
      SELECT json_build_object(
               'revenue', COALESCE(json_agg(c.total_revenue ORDER BY c.reference_date USING OPERATOR(pg_catalog.<)), '[]'),
               'profit', COALESCE(json_agg(c.total_profit ORDER BY c.reference_date USING OPERATOR(pg_catalog.<)), '[]'),
               'utilization', COALESCE(json_agg(c.sim_utilization_pct ORDER BY c.reference_date USING OPERATOR(pg_catalog.<)), '[]'),
               'customers', COALESCE(json_agg(c.new_customers ORDER BY c.reference_date USING OPERATOR(pg_catalog.<)), '[]'),
               'transaction', COALESCE(json_agg(c.avg_transaction_value ORDER BY c.reference_date USING OPERATOR(pg_catalog.<)), '[]'),
               'margin', COALESCE(json_agg(c.gross_margin_pct ORDER BY c.reference_date USING OPERATOR(pg_catalog.<)), '[]'))
      FROM pos.mv_dashboard_summary_cache c
      WHERE c.period_type = 'daily' AND c.reference_date BETWEEN start_date AND end_date));
END
$$;
COMMENT ON FUNCTION pos.get_dashboard_summary_enhanced_mv(date, date, date, date) IS
  'The dashboard summary (seed 000 keys: current_period, comparison_period, trend_data) read from the aggregates: without today, the KPIs from one pos.mv_dashboard_summary_cache row per cached period (else pos.stored_period_summary) and the trend from the cache''s daily rows; with zero-lag reads and today (in the venue''s time zone) in a range, today computed live once and added.';
