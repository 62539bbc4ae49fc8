-- 0105: zero-lag reads: the dashboard summary adds the current local day computed live from pos.lengolf_sales
-- (that day only, an index range), like real-time aggregates; a setting turns it off; freshness says so.
-- Up Migration
INSERT INTO pos.setting (name, value, description) VALUES
  ('zero_lag_reads', 'on', 'on: the dashboard summary reads today (in time_zone) live from pos.lengolf_sales, so today''s figures are never behind a refresh; off: everything comes from the stored aggregates. Change it with pos.set_zero_lag_reads(boolean).')
ON CONFLICT (name) DO NOTHING;

CREATE OR REPLACE FUNCTION pos.live_tail_day()
RETURNS date
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- plpgsql rather than SQL: its statement's plan is kept for the session, not planned again on every call.
  -- The real clock, not mv_ops.now(): a session's mv_ops.clock_offset must not let a reader open another day of
  -- pos.lengolf_sales through the definer functions that check against this.
  RETURN (SELECT (pg_catalog.now() AT TIME ZONE tz.value)::date
          FROM pos.setting tz, pos.setting zl
          WHERE tz.name = 'time_zone' AND zl.name = 'zero_lag_reads' AND zl.value = 'on');
END
$$;
COMMENT ON FUNCTION pos.live_tail_day() IS 'The day zero-lag reads compute live: today in the venue''s time zone, or NULL when zero_lag_reads is off.';

CREATE OR REPLACE FUNCTION pos.require_live_tail_day(day date)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF day IS DISTINCT FROM pos.live_tail_day() THEN
    RAISE EXCEPTION 'zero-lag reads are for today (%) only, not %', COALESCE(pos.live_tail_day()::text, 'off'), day
      USING ERRCODE = '22023';
  END IF;
END
$$;
COMMENT ON FUNCTION pos.require_live_tail_day(date) IS
  'The live tail''s one check: refuses any day but today (or every day when zero-lag reads are off). Both definer functions that read pos.lengolf_sales for readers start with it.';
REVOKE ALL ON FUNCTION pos.require_live_tail_day(date) FROM PUBLIC;
-- No grant: only the definer functions (owner) call it.

CREATE OR REPLACE FUNCTION pos.live_tail_sales(day date)
RETURNS SETOF pos.mv_daily_sales_summary
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- Readers may not read the sales table: this opens exactly the live day to them, nothing else.
  PERFORM pos.require_live_tail_day(day);
  RETURN QUERY SELECT * FROM pos.daily_sales_summary_rows(ARRAY[day]);
END
$$;
COMMENT ON FUNCTION pos.live_tail_sales(date) IS
  'Today''s pos.mv_daily_sales_summary row computed now from pos.lengolf_sales (no row without sales); refuses any other day, so readers learn nothing the aggregates would not show them after the next refresh.';

CREATE OR REPLACE FUNCTION pos.live_tail_customers(day date)
RETURNS TABLE (previous_visit date)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM pos.require_live_tail_day(day);
  -- Per customer of today, the last stored visit before today (one backward index probe each): NULL makes today
  -- a first visit, and a range counts the customer again only if that visit is before the range.
  RETURN QUERY
  SELECT (SELECT max(v.date) FROM pos.mv_customer_daily_visits v WHERE v.customer_key = f.customer_key AND v.date < day)
  FROM pos.customer_visit_facts(ARRAY[day]) f;
END
$$;
COMMENT ON FUNCTION pos.live_tail_customers(date) IS
  'Today''s identified customers computed now from pos.lengolf_sales, each as the date of their last stored visit before today (NULL: today is their first); no keys or ids leave it. Refuses any other day.';

DO $$
BEGIN
  IF to_regtype('pos.live_tail') IS NULL THEN
    CREATE TYPE pos.live_tail AS (day date, figures pos.mv_daily_sales_summary, new_customers bigint, previous_visits date[]);
  END IF;
END
$$;
COMMENT ON TYPE pos.live_tail IS
  'Today read live, once per report call: the day (NULL when zero-lag reads are off or today is outside the range), its daily summary row, new customers, and per customer of today the last stored visit before today.';

CREATE OR REPLACE FUNCTION pos.live_tail_for(from_date date, to_date date)
RETURNS pos.live_tail
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  tail pos.live_tail;
BEGIN
  tail.day := pos.live_tail_day();
  IF tail.day IS NULL OR tail.day NOT BETWEEN from_date AND to_date THEN
    tail.day := NULL;
    RETURN tail;
  END IF;
  SELECT l INTO tail.figures FROM pos.live_tail_sales(tail.day) l;
  SELECT count(*) FILTER (WHERE c.previous_visit IS NULL), COALESCE(array_agg(c.previous_visit), '{}')
  INTO tail.new_customers, tail.previous_visits
  FROM pos.live_tail_customers(tail.day) c;
  RETURN tail;
END
$$;
COMMENT ON FUNCTION pos.live_tail_for(date, date) IS 'Computes the live tail for a range once (empty when today is outside it or zero-lag reads are off).';

CREATE OR REPLACE FUNCTION pos.days_now(from_date date, to_date date, tail pos.live_tail)
RETURNS TABLE (date date, total_revenue numeric, total_profit numeric, total_transactions bigint, sim_usage_count bigint,
               sim_capacity_hours numeric, sim_utilization_pct numeric, avg_transaction_value numeric, gross_margin_pct numeric,
               new_customers bigint)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  live date := CASE WHEN tail.day BETWEEN from_date AND to_date THEN tail.day END;
BEGIN
  -- Both sides by the date range (not a probe per day): one index range each.
  RETURN QUERY
  SELECT ds.date, ds.total_revenue, ds.total_profit, ds.total_transactions, ds.sim_usage_count, ds.sim_capacity_hours,
         ds.sim_utilization_pct, ds.avg_transaction_value, ds.gross_margin_pct, ca.new_customers
  FROM pos.mv_daily_sales_summary ds
  LEFT JOIN pos.mv_customer_analytics ca ON ca.date = ds.date AND ca.date BETWEEN from_date AND to_date
  WHERE ds.date BETWEEN from_date AND to_date AND ds.date IS DISTINCT FROM live;
  IF live IS NOT NULL AND (tail.figures).date IS NOT NULL THEN
    RETURN QUERY SELECT (tail.figures).date, (tail.figures).total_revenue, (tail.figures).total_profit,
                        (tail.figures).total_transactions, (tail.figures).sim_usage_count, (tail.figures).sim_capacity_hours,
                        (tail.figures).sim_utilization_pct, (tail.figures).avg_transaction_value,
                        (tail.figures).gross_margin_pct, tail.new_customers;
  END IF;
END
$$;
COMMENT ON FUNCTION pos.days_now(date, date, pos.live_tail) IS
  'The days with sales in a range as the dashboard shows them: stored rows, with today''s replaced by the live tail when it is in the range (new_customers from customer analytics).';

CREATE OR REPLACE FUNCTION pos.unique_customers_with(from_date date, to_date date, tail pos.live_tail)
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  live date := CASE WHEN tail.day BETWEEN from_date AND to_date THEN tail.day END;
  stored bigint;
BEGIN
  SELECT count(DISTINCT id) INTO stored FROM pos.mv_customer_analytics c, unnest(c.customer_ids) id
  WHERE c.date BETWEEN from_date AND to_date AND c.date IS DISTINCT FROM live;
  IF live IS NULL THEN
    RETURN stored;
  END IF;
  -- Today's customers not already among the range's stored days: no stored visit since from_date.
  RETURN stored + (SELECT count(*) FROM unnest(tail.previous_visits) p WHERE p IS NULL OR p < from_date);
END
$$;
COMMENT ON FUNCTION pos.unique_customers_with(date, date, pos.live_tail) IS
  'The exact number of customers in a range: distinct stable ids over its stored days, plus today''s live customers who did not visit on any of them.';

CREATE OR REPLACE FUNCTION pos.period_summary_with(from_date date, to_date date, tail pos.live_tail)
RETURNS json
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  cached json;
BEGIN
  -- A period the dashboard cache holds (daily, last 7 or 30 days, month to date ending on a sales day) is one
  -- row read instead of a day's arrays each; not when today is read live.
  IF tail.day IS NULL OR tail.day NOT BETWEEN from_date AND to_date THEN
    SELECT json_build_object('total_revenue', c.total_revenue, 'gross_profit', c.total_profit,
                             'transaction_count', c.total_transactions, 'unique_customers', c.unique_customers,
                             'avg_transaction_value', c.avg_transaction_value, 'gross_margin_pct', c.gross_margin_pct,
                             'sim_utilization_pct', c.sim_utilization_pct, 'sim_utilization_count', c.sim_utilization_count,
                             'new_customers', c.new_customers) INTO cached
    FROM pos.mv_dashboard_summary_cache c
    WHERE c.reference_date = to_date AND c.start_date = from_date
    LIMIT 1;
    IF cached IS NOT NULL THEN
      RETURN cached;
    END IF;
  END IF;
  RETURN (
    SELECT json_build_object(
      'total_revenue', COALESCE(sum(d.total_revenue), 0),
      'gross_profit', COALESCE(sum(d.total_profit), 0),
      'transaction_count', COALESCE(sum(d.total_transactions), 0),
      -- Distinct over the whole range: a customer who came on three days counts once.
      'unique_customers', pos.unique_customers_with(from_date, to_date, tail),
      'avg_transaction_value', round(sum(d.total_revenue) / NULLIF(sum(d.total_transactions), 0), 2),
      'gross_margin_pct', round(sum(d.total_profit) / NULLIF(sum(d.total_revenue), 0) * 100, 2),
      'sim_utilization_pct', round(sum(d.sim_usage_count) / NULLIF(sum(d.sim_capacity_hours), 0) * 100, 2),
      'sim_utilization_count', COALESCE(sum(d.sim_usage_count), 0),
      'new_customers', COALESCE(sum(d.new_customers), 0))
    FROM pos.days_now(from_date, to_date, tail) d);
END
$$;
COMMENT ON FUNCTION pos.period_summary_with(date, date, pos.live_tail) IS
  'KPIs of a date range from the aggregates with a live tail already computed: sums, exact distinct customers, exact SIM utilisation; one cache row when the range is a cached period without today.';

CREATE OR REPLACE FUNCTION pos.period_trend_with(from_date date, to_date date, tail pos.live_tail)
RETURNS json
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT json_build_object(
    'revenue', COALESCE(json_agg(d.total_revenue ORDER BY d.date), '[]'),
    'profit', COALESCE(json_agg(d.total_profit ORDER BY d.date), '[]'),
    'utilization', COALESCE(json_agg(d.sim_utilization_pct ORDER BY d.date), '[]'),
    'customers', COALESCE(json_agg(COALESCE(d.new_customers, 0) ORDER BY d.date), '[]'),
    'transaction', COALESCE(json_agg(d.avg_transaction_value ORDER BY d.date), '[]'),
    'margin', COALESCE(json_agg(d.gross_margin_pct ORDER BY d.date), '[]'))
  FROM pos.days_now(from_date, to_date, tail) d
$$;
COMMENT ON FUNCTION pos.period_trend_with(date, date, pos.live_tail) IS 'Daily series over a date range (days with sales) with a live tail already computed; customers = new customers that day.';

CREATE OR REPLACE FUNCTION pos.period_summary_mv(from_date date, to_date date)
RETURNS json
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pos.period_summary_with(from_date, to_date, pos.live_tail_for(from_date, to_date)) $$;
COMMENT ON FUNCTION pos.period_summary_mv(date, date) IS
  'KPIs of a date range from the aggregates: sums, exact distinct customers, exact SIM utilisation; one cache row when the range is a cached period; today live with zero-lag reads.';

CREATE OR REPLACE FUNCTION pos.period_trend_mv(from_date date, to_date date)
RETURNS json
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pos.period_trend_with(from_date, to_date, pos.live_tail_for(from_date, to_date)) $$;
COMMENT ON FUNCTION pos.period_trend_mv(date, date) IS 'Daily series over a date range (days with sales), from the aggregates (today live with zero-lag reads); customers = new customers that day.';

CREATE OR REPLACE FUNCTION pos.get_dashboard_summary_enhanced_mv(
  start_date date, end_date date, comparison_start_date date, comparison_end_date date)
RETURNS json
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  tail pos.live_tail;
BEGIN
  PERFORM pos.check_date_range(start_date, end_date, 'the period');
  PERFORM pos.check_date_range(comparison_start_date, comparison_end_date, 'the comparison period');
  -- Today is read once for the whole call, whichever of the ranges contains it.
  tail := pos.live_tail_for(least(start_date, comparison_start_date), greatest(end_date, comparison_end_date));
  RETURN json_build_object(
    'current_period', pos.period_summary_with(start_date, end_date, tail),
    'comparison_period', pos.period_summary_with(comparison_start_date, comparison_end_date, tail),
    'trend_data', pos.period_trend_with(start_date, end_date, tail));
END
$$;
COMMENT ON FUNCTION pos.get_dashboard_summary_enhanced_mv(date, date, date, date) IS
  'The dashboard summary (seed 000 keys: current_period, comparison_period, trend_data) read from the aggregates; with zero-lag reads, today (in the venue''s time zone) computed live once and added.';

REVOKE ALL ON FUNCTION pos.live_tail_day(), pos.live_tail_sales(date), pos.live_tail_customers(date), pos.live_tail_for(date, date),
  pos.days_now(date, date, pos.live_tail), pos.unique_customers_with(date, date, pos.live_tail),
  pos.period_summary_with(date, date, pos.live_tail), pos.period_trend_with(date, date, pos.live_tail) FROM PUBLIC;
-- Readers of the dashboard summary (its functions run with their rights) need the live day; the two definer
-- functions give them today only.
GRANT EXECUTE ON FUNCTION pos.live_tail_day(), pos.live_tail_sales(date), pos.live_tail_customers(date), pos.live_tail_for(date, date),
  pos.days_now(date, date, pos.live_tail), pos.unique_customers_with(date, date, pos.live_tail),
  pos.period_summary_with(date, date, pos.live_tail), pos.period_trend_with(date, date, pos.live_tail) TO mv_ops_reader;

CREATE OR REPLACE PROCEDURE pos.set_zero_lag_reads(live boolean)
LANGUAGE plpgsql
AS $$
BEGIN
  IF live IS NULL THEN
    RAISE EXCEPTION 'zero-lag reads need true or false' USING ERRCODE = '22004';
  END IF;
  UPDATE pos.setting SET value = CASE WHEN live THEN 'on' ELSE 'off' END WHERE name = 'zero_lag_reads';
  -- What the dashboard summary reads live: the daily summary's and customer analytics' current day.
  UPDATE mv_ops.managed_view SET zero_lag = live
  WHERE schema_name = 'pos' AND view_name IN ('mv_daily_sales_summary', 'mv_customer_analytics');
END
$$;
COMMENT ON PROCEDURE pos.set_zero_lag_reads(boolean) IS
  'Turns zero-lag reads of the dashboard summary on or off (pos.setting zero_lag_reads) and shows it in mv_ops.freshness (zero_lag of the daily summary and customer analytics, whose current day is then read live).';
REVOKE ALL ON PROCEDURE pos.set_zero_lag_reads(boolean) FROM PUBLIC;
-- No grant: a configuration change, the owner's.

CALL pos.set_zero_lag_reads(true);
