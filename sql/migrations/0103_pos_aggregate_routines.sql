-- 0103: the sales aggregates' refresh routines and their registration as keyed aggregates: each is handed the
-- dates its sources changed and recomputes the keys that depend on them; full when mv_ops asks.
-- Up Migration
CREATE OR REPLACE FUNCTION pos.changed_days(VARIADIC sources regclass[])
RETURNS date[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT COALESCE(array_agg(DISTINCT d ORDER BY d), '{}') FROM unnest(sources) s, unnest(mv_ops.refresh_keys(s)) d
$$;
COMMENT ON FUNCTION pos.changed_days(regclass[]) IS 'The dates these sources changed since the aggregate being refreshed was last refreshed (its routine''s input).';

CREATE OR REPLACE FUNCTION pos.full_refresh()
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT COALESCE(pg_catalog.current_setting('mv_ops.refresh_mode', true), 'full') IS DISTINCT FROM 'incremental' $$;
COMMENT ON FUNCTION pos.full_refresh() IS 'Whether the refresh in progress recomputes everything (anything but an incremental mv_ops refresh).';

CREATE OR REPLACE FUNCTION pos.refresh_daily_sales_summary()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT mv_ops.apply_keyed('pos.mv_daily_sales_summary', 'date', 'pos.daily_sales_summary_rows',
    CASE WHEN pos.full_refresh() THEN ARRAY(SELECT DISTINCT s.date FROM pos.lengolf_sales s ORDER BY 1)
         ELSE pos.changed_days('pos.lengolf_sales') END,
    pos.full_refresh())
$$;

CREATE OR REPLACE FUNCTION pos.refresh_product_performance()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT mv_ops.apply_keyed('pos.mv_product_performance', 'date', 'pos.product_performance_rows',
    CASE WHEN pos.full_refresh() THEN ARRAY(SELECT DISTINCT s.date FROM pos.lengolf_sales s ORDER BY 1)
         ELSE pos.changed_days('pos.lengolf_sales') END,
    pos.full_refresh())
$$;

CREATE OR REPLACE FUNCTION pos.refresh_customer_daily_visits()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  full_refresh boolean := pos.full_refresh();
  days date[];
BEGIN
  days := CASE WHEN full_refresh THEN ARRAY(SELECT DISTINCT s.date FROM pos.lengolf_sales s
                                            UNION SELECT v.date FROM pos.mv_customer_daily_visits v ORDER BY 1)
               ELSE pos.changed_days('pos.lengolf_sales') END;
  CREATE TEMP TABLE visit_facts ON COMMIT DROP AS SELECT * FROM pos.customer_visit_facts(days);
  -- Statistics for the temp tables, so a batch's few hundred customers are joined by index, not by a scan of
  -- every visit.
  ANALYZE pg_temp.visit_facts;
  -- New customers get their id now, once: ids are never reassigned, so the day arrays never renumber.
  INSERT INTO pos.customer (customer_key, first_seen)
  SELECT f.customer_key, min(f.date) FROM visit_facts f GROUP BY 1 ORDER BY 1
  ON CONFLICT (customer_key) DO NOTHING;
  -- A purchase, void or correction on a changed day can move the first visit of anyone who bought then
  -- (before or after the change), turning a later "new" day into a returning one or back.
  CREATE TEMP TABLE visit_firsts ON COMMIT DROP AS
  SELECT k.customer_key, least(f.first_date, o.first_date) AS first_date
  FROM (SELECT f.customer_key FROM visit_facts f
        UNION SELECT v.customer_key FROM pos.mv_customer_daily_visits v WHERE v.date = ANY (days)) k
  LEFT JOIN (SELECT f.customer_key, min(f.date) AS first_date FROM visit_facts f GROUP BY 1) f USING (customer_key)
  LEFT JOIN LATERAL (SELECT min(v.date) AS first_date FROM pos.mv_customer_daily_visits v
                     WHERE v.customer_key = k.customer_key AND v.date <> ALL (days)) o ON true;
  ANALYZE pg_temp.visit_firsts;
  CREATE TEMP TABLE visit_rows ON COMMIT DROP AS
  SELECT f.date, f.customer_key, f.transactions, f.revenue, f.line_items, f.sim_usage, f.date = fi.first_date AS is_first_visit
  FROM visit_facts f JOIN visit_firsts fi USING (customer_key);
  ANALYZE pg_temp.visit_rows;
  PERFORM mv_ops.apply_rows('pos.mv_customer_daily_visits', 'date', 'pg_temp.visit_rows', days, full_refresh);
  -- Days that did not change themselves but whose first-visit flag did.
  -- Found through the customers' index (an array of keys), not by a join the planner would hash over every visit.
  UPDATE pos.mv_customer_daily_visits v SET is_first_visit = (v.date = fi.first_date)
  FROM visit_firsts fi
  WHERE v.customer_key = ANY (ARRAY(SELECT x.customer_key FROM visit_firsts x)) AND v.customer_key = fi.customer_key
    AND v.date <> ALL (days) AND v.is_first_visit IS DISTINCT FROM (v.date = fi.first_date);
  DROP TABLE pg_temp.visit_facts, pg_temp.visit_firsts, pg_temp.visit_rows;
END
$$;

CREATE OR REPLACE FUNCTION pos.refresh_customer_analytics()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT mv_ops.apply_keyed('pos.mv_customer_analytics', 'date', 'pos.customer_analytics_rows',
    CASE WHEN pos.full_refresh() THEN ARRAY(SELECT DISTINCT v.date FROM pos.mv_customer_daily_visits v ORDER BY 1)
         ELSE pos.changed_days('pos.mv_customer_daily_visits', 'pos.customer') END,
    pos.full_refresh())
$$;

CREATE OR REPLACE FUNCTION pos.refresh_weekly_sales_summary()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT mv_ops.apply_keyed('pos.mv_weekly_sales_summary', 'week_start_date', 'pos.weekly_sales_summary_rows',
    CASE WHEN pos.full_refresh() THEN pos.week_starts(ARRAY(SELECT d.date FROM pos.mv_daily_sales_summary d))
         ELSE pos.week_starts(pos.changed_days('pos.mv_daily_sales_summary', 'pos.mv_customer_daily_visits')) END,
    pos.full_refresh())
$$;

CREATE OR REPLACE FUNCTION pos.refresh_monthly_sales_summary()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
  -- A changed week changes the peak/lowest week of the month it starts in.
  SELECT mv_ops.apply_keyed('pos.mv_monthly_sales_summary', 'month_start_date', 'pos.monthly_sales_summary_rows',
    CASE WHEN pos.full_refresh() THEN pos.month_starts(ARRAY(SELECT d.date FROM pos.mv_daily_sales_summary d))
         ELSE pos.month_starts(pos.changed_days('pos.mv_daily_sales_summary', 'pos.mv_customer_daily_visits', 'pos.mv_weekly_sales_summary')) END,
    pos.full_refresh())
$$;

CREATE OR REPLACE FUNCTION pos.refresh_dashboard_summary_cache()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
  -- A changed day is in the periods ending on it and on the 29 days after it (last 30 days), and in the
  -- month-to-date periods up to its month's end.
  SELECT mv_ops.apply_keyed('pos.mv_dashboard_summary_cache', 'reference_date', 'pos.dashboard_summary_cache_rows',
    CASE WHEN pos.full_refresh() THEN ARRAY(SELECT d.date FROM pos.mv_daily_sales_summary d ORDER BY 1)
         ELSE ARRAY(SELECT DISTINCT r::date
                    FROM unnest(pos.changed_days('pos.mv_daily_sales_summary', 'pos.mv_customer_analytics')) d,
                         generate_series(d, greatest(d + 29, (date_trunc('month', d) + interval '1 month - 1 day')::date),
                                         interval '1 day') r
                    ORDER BY 1) END,
    pos.full_refresh())
$$;

CREATE OR REPLACE FUNCTION pos.refresh_weekly_reports_cache()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
  -- A week's row compares with the week before: a changed week changes the growth of the next one too.
  SELECT mv_ops.apply_keyed('pos.mv_weekly_reports_cache', 'week_start_date', 'pos.weekly_reports_cache_rows',
    CASE WHEN pos.full_refresh() THEN ARRAY(SELECT w.week_start_date FROM pos.mv_weekly_sales_summary w ORDER BY 1)
         ELSE ARRAY(SELECT k FROM unnest(pos.changed_days('pos.mv_weekly_sales_summary')) w,
                                        unnest(ARRAY[w, w + 7]) k
                    UNION SELECT unnest(pos.week_starts(pos.changed_days('pos.mv_customer_analytics'))) ORDER BY 1) END,
    pos.full_refresh())
$$;

CREATE OR REPLACE FUNCTION pos.refresh_monthly_reports_cache()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
  -- A month's row compares with the month before: a changed month changes the growth of the next one too.
  SELECT mv_ops.apply_keyed('pos.mv_monthly_reports_cache', 'month_start_date', 'pos.monthly_reports_cache_rows',
    CASE WHEN pos.full_refresh() THEN ARRAY(SELECT m.month_start_date FROM pos.mv_monthly_sales_summary m ORDER BY 1)
         ELSE ARRAY(SELECT k FROM unnest(pos.changed_days('pos.mv_monthly_sales_summary')) m,
                                        unnest(ARRAY[m, (m + interval '1 month')::date]) k
                    UNION SELECT unnest(pos.month_starts(pos.changed_days('pos.mv_customer_analytics'))) ORDER BY 1) END,
    pos.full_refresh())
$$;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['daily_sales_summary', 'product_performance', 'customer_daily_visits', 'customer_analytics',
                           'weekly_sales_summary', 'monthly_sales_summary', 'dashboard_summary_cache', 'weekly_reports_cache',
                           'monthly_reports_cache'] LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION pos.%I() FROM PUBLIC', 'refresh_' || f);
    EXECUTE format('COMMENT ON FUNCTION pos.%I() IS %L', 'refresh_' || f,
      format('The refresh routine of pos.mv_%s (registered in mv_ops, which calls it as the owner): full when mv_ops.refresh_mode is full, else only the keys that depend on the dates its sources changed (mv_ops.refresh_keys); writes only rows that differ (mv_ops.apply_keyed).', f));
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION pos.changed_days(regclass[]), pos.full_refresh() FROM PUBLIC;
-- No grant: the routines (owner) call them.

-- Key journals: the source's business date, and each aggregate that feeds another by its own key.
SELECT mv_ops.track_keys('pos.lengolf_sales', 'date');
SELECT mv_ops.track_keys('pos.bay_capacity', NULL);
SELECT mv_ops.track_keys('pos.customer', 'first_seen');
SELECT mv_ops.track_keys('pos.mv_daily_sales_summary', 'date');
SELECT mv_ops.track_keys('pos.mv_customer_daily_visits', 'date');
SELECT mv_ops.track_keys('pos.mv_customer_analytics', 'date');
SELECT mv_ops.track_keys('pos.mv_weekly_sales_summary', 'week_start_date');
SELECT mv_ops.track_keys('pos.mv_monthly_sales_summary', 'month_start_date');

-- The registry rows become aggregates in place (same view ids, so their refresh history stays theirs), then
-- are registered again with the same schedules (0024), which validates routine and sources and tracks them.
UPDATE mv_ops.managed_view m SET kind = 'aggregate', refresh_routine = r.routine, declared_sources = r.sources
FROM (VALUES
  ('mv_daily_sales_summary', 'pos.refresh_daily_sales_summary()', ARRAY['pos.bay_capacity', 'pos.lengolf_sales']),
  ('mv_customer_daily_visits', 'pos.refresh_customer_daily_visits()', ARRAY['pos.lengolf_sales']),
  ('mv_customer_analytics', 'pos.refresh_customer_analytics()', ARRAY['pos.customer', 'pos.mv_customer_daily_visits']),
  ('mv_product_performance', 'pos.refresh_product_performance()', ARRAY['pos.lengolf_sales']),
  ('mv_dashboard_summary_cache', 'pos.refresh_dashboard_summary_cache()', ARRAY['pos.mv_customer_analytics', 'pos.mv_daily_sales_summary']),
  ('mv_weekly_sales_summary', 'pos.refresh_weekly_sales_summary()', ARRAY['pos.mv_customer_daily_visits', 'pos.mv_daily_sales_summary']),
  ('mv_weekly_reports_cache', 'pos.refresh_weekly_reports_cache()', ARRAY['pos.mv_customer_analytics', 'pos.mv_weekly_sales_summary']),
  ('mv_monthly_sales_summary', 'pos.refresh_monthly_sales_summary()',
   ARRAY['pos.mv_customer_daily_visits', 'pos.mv_daily_sales_summary', 'pos.mv_weekly_sales_summary']),
  ('mv_monthly_reports_cache', 'pos.refresh_monthly_reports_cache()', ARRAY['pos.mv_customer_analytics', 'pos.mv_monthly_sales_summary'])
) r(view_name, routine, sources)
WHERE m.schema_name = 'pos' AND m.view_name = r.view_name AND m.kind = 'materialized_view';

DO $$
DECLARE
  m mv_ops.managed_view;
BEGIN
  FOR m IN SELECT * FROM mv_ops.managed_view v WHERE v.schema_name = 'pos' AND v.kind = 'aggregate' ORDER BY v.view_id LOOP
    PERFORM mv_ops.register_aggregate(format('pos.%I', m.view_name)::regclass, m.pack, m.description, m.schedule,
      m.warn_after, m.error_after, m.refresh_routine::regprocedure, m.declared_sources::regclass[], m.date_relative,
      m.time_zone, m.full_refresh_schedule, m.enabled);
    PERFORM mv_ops.make_keyed(format('pos.%I', m.view_name)::regclass);
  END LOOP;
END
$$;
