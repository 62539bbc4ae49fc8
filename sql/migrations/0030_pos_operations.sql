-- 0030: sales pack seed-compatible operations, all delegating to mv_ops: refresh all, manual refresh, freshness check and monitor.
-- Up Migration
CREATE OR REPLACE PROCEDURE pos.refresh_all_mv(INOUT run_id bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
BEGIN
  -- A procedure (the seed had a function) so each view refreshes in its own transaction.
  CALL mv_ops.refresh(pack => 'sales', trigger => 'manual', run_id => run_id);
END
$$;
COMMENT ON PROCEDURE pos.refresh_all_mv(bigint) IS 'Refreshes all sales views in dependency order through mv_ops (CALL pos.refresh_all_mv()). Returns the run id.';

CREATE OR REPLACE FUNCTION pos.manual_refresh_targets(view_name text)
RETURNS text[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN CASE view_name
    WHEN 'all' THEN NULL
    WHEN 'daily' THEN ARRAY['pos.mv_daily_sales_summary', 'pos.mv_customer_daily_visits', 'pos.mv_customer_analytics']
    WHEN 'weekly' THEN ARRAY['pos.mv_weekly_sales_summary', 'pos.mv_weekly_reports_cache']
    WHEN 'monthly' THEN ARRAY['pos.mv_monthly_sales_summary', 'pos.mv_monthly_reports_cache']
  END;
END
$$;
COMMENT ON FUNCTION pos.manual_refresh_targets(text) IS 'The views behind the seed''s manual refresh names (all, daily, weekly, monthly).';

CREATE OR REPLACE PROCEDURE pos.manual_refresh_mv(view_name text DEFAULT 'all', INOUT result json DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
  started timestamptz := clock_timestamp();
  run bigint;
  outcome text;
BEGIN
  IF view_name IS NULL OR view_name NOT IN ('all', 'daily', 'weekly', 'monthly') THEN
    RAISE EXCEPTION 'Invalid view_name: %. Use: all, daily, weekly, monthly', view_name USING ERRCODE = '22023';
  END IF;
  CALL mv_ops.refresh(views => pos.manual_refresh_targets(view_name), pack => CASE WHEN view_name = 'all' THEN 'sales' END,
                      trigger => 'manual', run_id => run);
  SELECT r.status INTO outcome FROM mv_ops.refresh_run r WHERE r.run_id = run;
  result := json_build_object(
    'success', outcome = 'succeeded',
    'view_refreshed', view_name,
    'duration_ms', round(extract(epoch FROM clock_timestamp() - started)::numeric * 1000, 1),
    'timestamp', clock_timestamp(),
    'run_id', run);
END
$$;
COMMENT ON PROCEDURE pos.manual_refresh_mv(text, json) IS
  'The seed''s admin refresh (CALL pos.manual_refresh_mv(''daily'')): refreshes the named group and its dependents, returns the seed''s JSON (success, view_refreshed, duration_ms, timestamp) plus run_id.';

CREATE OR REPLACE VIEW pos.mv_freshness_monitor AS
SELECT m.schemaname, m.matviewname, m.hasindexes, m.ispopulated,
       f.last_success_at AS last_refresh,
       pg_size_pretty(pg_total_relation_size(format('%I.%I', m.schemaname, m.matviewname)::regclass)) AS size,
       round(extract(epoch FROM now() - f.last_success_at)::numeric / 3600, 2) AS hours_since_refresh,
       f.state, f.lag_seconds
FROM pg_catalog.pg_matviews m
JOIN mv_ops.freshness f ON f.view_name = format('%I.%I', m.schemaname, m.matviewname)
WHERE m.schemaname = 'pos'
ORDER BY f.last_success_at DESC NULLS LAST;
COMMENT ON VIEW pos.mv_freshness_monitor IS 'The seed''s freshness monitor, with last_refresh taken from the mv_ops refresh log (pg_matviews has no such column), plus state and lag.';

CREATE OR REPLACE FUNCTION pos.check_mv_freshness()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE WHEN count(*) = 0 THEN 'OK: All materialized views are fresh'
              ELSE 'ALERT: Stale materialized views: ' || string_agg(f.view_name || ' (' || f.state || ')', ', ' ORDER BY f.view_name) END
  FROM mv_ops.freshness f
  WHERE f.pack = 'sales' AND f.state IN ('stale', 'failing', 'never_refreshed')
$$;
COMMENT ON FUNCTION pos.check_mv_freshness() IS 'The seed''s stale-data check: names the sales views that are stale, failing or never refreshed.';
