-- 0096: the two NOLOGIN roles Grafana's data sources act through (logins are made by npm run db:logins): the
-- sales pack plus operations status, and the platform pack as a bound platform user. Nothing writable, no refresh.
-- Up Migration
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'matviewops_sales_reader') THEN
    CREATE ROLE matviewops_sales_reader NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'matviewops_platform_reader') THEN
    CREATE ROLE matviewops_platform_reader NOLOGIN;
  END IF;
END
$$;
COMMENT ON ROLE matviewops_sales_reader IS
  'matview-ops: what the sales and operations dashboards read (the "matview-ops sales & operations" Grafana data source login, grafana_sales): pos views, report functions and settings, mv_ops status and history, and the drift alert''s verdict (pos.drift_alert, 0097). Reads only; no source table, no refresh.';
COMMENT ON ROLE matviewops_platform_reader IS
  'matview-ops: what the platform dashboard reads (the "matview-ops platform" Grafana data source login, grafana_platform, or a tenant''s login): funeral.* as the platform user the login is bound to in funeral.login_role_binding, and the pack''s freshness through funeral.view_freshness (both through funeral_tenant). Never funeral_mv; reads only; no refresh.';

-- The drift check compares the views with pos.lengolf_sales: this function runs pos.validate_views (sums and counts per
-- view and metric) with the owner's rights. For operators: no reader is granted it (the drift alert rule reads
-- pos.drift_alert, 0097), since each call scans the source.
CREATE OR REPLACE FUNCTION pos.view_drift(from_date date, to_date date)
RETURNS TABLE (view_name text, metric text, source_value numeric, view_value numeric, result text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM pos.check_date_range(from_date, to_date, 'the drift range');
  -- Each call scans the source over the range: a bound keeps one call from asking for years of it.
  IF to_date - from_date > 30 THEN
    RAISE EXCEPTION 'the drift range covers % days; at most 31 are compared in one call', to_date - from_date + 1
      USING ERRCODE = '22023';
  END IF;
  RETURN QUERY SELECT v.view_name, v.metric, v.source_value, v.view_value, v.result
               FROM pos.validate_views(from_date, to_date) v;
END
$$;
COMMENT ON FUNCTION pos.view_drift(date, date) IS
  'pos.validate_views over a range of at most 31 days, run with the owner''s rights: one row per view and metric with the source and view values and PASS/FAIL. For operators: granted to no reader role (each call scans pos.lengolf_sales over the range; the drift alert rule reads pos.drift_alert instead); it returns aggregates only.';
REVOKE ALL ON FUNCTION pos.view_drift(date, date) FROM PUBLIC;

-- Same columns and rows as before (0029), now through pos.view_drift. For operators, like it: no reader is granted it
-- (about 8 s at scale 100, a scan of the source; the drift alert rule reads pos.drift_alert, 0097).
CREATE OR REPLACE VIEW pos.validation_alert AS
SELECT v.view_name AS view, v.metric, CASE v.result WHEN 'PASS' THEN 0 ELSE 1 END::float8 AS mismatch
-- The last day comes from the source: a plain view on a materialized view would block rebuilding it.
FROM (SELECT max(s.date) AS last_day FROM pos.lengolf_sales s WHERE NOT s.is_voided) l
CROSS JOIN LATERAL pos.view_drift(COALESCE(l.last_day, current_date) - 6, COALESCE(l.last_day, current_date)) v;
COMMENT ON VIEW pos.validation_alert IS
  'Grafana alert shape (labels view, metric; one number): mismatch = 1 when a view disagrees with the sales table over the last 7 days of data (through pos.view_drift). For operators: granted to no reader role (it scans pos.lengolf_sales; the drift alert rule reads pos.drift_alert).';
REVOKE ALL ON pos.validation_alert FROM PUBLIC;

-- The platform pack's freshness without mv_ops_reader (which also reads the sales pack's data) and without
-- anything tenant-sensitive: no error text (it can quote another tenant's key values), sizes or row counts.
CREATE OR REPLACE FUNCTION funeral.view_freshness_rows()
RETURNS TABLE (view_name text, state text, last_success_at timestamptz, lag_seconds numeric,
               warn_after_seconds numeric, error_after_seconds numeric, schedule text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  -- Named as tenants read them: funeral_mv.mv_x is funeral.mv_x; the availability table is funeral.mv_realtime_availability.
  SELECT 'funeral.' || CASE f.view_name WHEN 'funeral_mv.realtime_availability' THEN 'mv_realtime_availability'
                                        ELSE split_part(f.view_name, '.', 2) END,
         f.state, f.last_success_at, f.lag_seconds, f.warn_after_seconds, f.error_after_seconds, f.schedule
  FROM mv_ops.freshness f
  WHERE f.pack = 'funeral'
$$;
COMMENT ON FUNCTION funeral.view_freshness_rows() IS
  'Rows of funeral.view_freshness: mv_ops.freshness of the funeral pack only, read with the owner''s rights, without error text, sizes or row counts.';
REVOKE ALL ON FUNCTION funeral.view_freshness_rows() FROM PUBLIC;

CREATE OR REPLACE VIEW funeral.view_freshness AS SELECT * FROM funeral.view_freshness_rows();
COMMENT ON VIEW funeral.view_freshness IS
  'Freshness of each platform view under the name tenants read (funeral.mv_*): state (fresh, warn, stale, failing, never_refreshed, paused), last success, lag in seconds, thresholds and schedule. For "data as of" panels; the same for every tenant.';
REVOKE ALL ON funeral.view_freshness FROM PUBLIC;

-- PUBLIC may connect by default; an installation that revoked that must still let the dashboards' logins in.
DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO matviewops_sales_reader, matviewops_platform_reader', current_database());
END
$$;

-- Sales and operations.
-- mv_ops_reader holds only reads (0018, 0033, 0054, 0055, 0058, 0070): the pos views, report functions, settings and
-- bay capacity the dashboards read, and mv_ops status, history and scheduler status (test/roles checks it stays so).
GRANT mv_ops_reader TO matviewops_sales_reader;
-- Not pos.view_drift nor pos.validation_alert: no dashboard or alert rule reads them, and each would let a read-only
-- login make the owner scan the source. The drift alert rule's verdict, pos.drift_alert, is granted in 0097.

-- Platform.
-- The tenant-facing security_barrier views, each applying the seed's rule to the user the login is bound to.
GRANT funeral_tenant TO matviewops_platform_reader;
-- Freshness of the platform's views for "data as of" panels, to every tenant login (the platform reader through
-- funeral_tenant, and a login made IN ROLE funeral_tenant): it holds no tenant data, only the pack's freshness.
-- A view's function calls are checked against the querying role, so the function too.
GRANT EXECUTE ON FUNCTION funeral.view_freshness_rows() TO funeral_tenant;
-- The view panels select from.
GRANT SELECT ON funeral.view_freshness TO funeral_tenant;
