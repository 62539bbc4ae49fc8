-- 0032: sales pack measured performance monitoring (pg_stat_statements) and the rollback switch between views and live computation.
-- Up Migration
CREATE OR REPLACE FUNCTION pos.performance_stats()
RETURNS TABLE (query_type text, query_count bigint, avg_execution_time_ms numeric, avg_buffer_hits numeric, last_updated timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  pgss_schema name := (SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                       WHERE e.extname = 'pg_stat_statements');
BEGIN
  IF pgss_schema IS NULL THEN
    RAISE NOTICE 'pg_stat_statements is not installed: add it to shared_preload_libraries and CREATE EXTENSION pg_stat_statements to measure the report functions';
    RETURN;
  END IF;
  -- Measured, not typed in: calls, mean time and buffers per call of each report function in this database.
  RETURN QUERY EXECUTE format($q$
    SELECT t.query_type, sum(s.calls)::bigint, round((sum(s.total_exec_time) / sum(s.calls))::numeric, 3),
           round(sum(s.shared_blks_hit + s.shared_blks_read)::numeric / sum(s.calls), 1), now()
    FROM (VALUES ('dashboard_summary_mv', 'get_dashboard_summary_enhanced_mv'), ('dashboard_summary_live', 'get_dashboard_summary_live'),
                 ('weekly_reports_mv', 'get_weekly_reports_mv'), ('weekly_reports_live', 'get_weekly_reports_live'),
                 ('monthly_reports_mv', 'get_monthly_reports_mv'), ('monthly_reports_live', 'get_monthly_reports_live')) t(query_type, fn)
    JOIN %I.pg_stat_statements s ON s.query LIKE '%%' || t.fn || '(%%' AND s.query ~* '^\s*select\M'
     AND s.dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
    GROUP BY t.query_type ORDER BY t.query_type $q$, pgss_schema);
END
$$;
COMMENT ON FUNCTION pos.performance_stats() IS 'Per report function (views and live): calls, mean execution time and shared buffers per call, from pg_stat_statements.';

CREATE OR REPLACE VIEW pos.performance_monitoring AS SELECT * FROM pos.performance_stats();
COMMENT ON VIEW pos.performance_monitoring IS 'The seed''s performance monitor, measured from pg_stat_statements instead of typed-in numbers.';

INSERT INTO pos.setting (name, value, description) VALUES
  ('use_materialized_views', 'true', 'Rollback switch: false makes pos.get_dashboard_summary and the report dispatchers compute live from pos.lengolf_sales.')
ON CONFLICT (name) DO NOTHING;

CREATE OR REPLACE FUNCTION pos.get_dashboard_summary(start_date date, end_date date, comparison_start_date date, comparison_end_date date)
RETURNS json
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE WHEN (SELECT value::boolean FROM pos.setting WHERE name = 'use_materialized_views')
              THEN pos.get_dashboard_summary_enhanced_mv(start_date, end_date, comparison_start_date, comparison_end_date)
              ELSE pos.get_dashboard_summary_live(start_date, end_date, comparison_start_date, comparison_end_date) END
$$;
COMMENT ON FUNCTION pos.get_dashboard_summary(date, date, date, date) IS
  'What API endpoints call: the view-based summary, or the live one when the rollback switch is off (UPDATE pos.setting SET value = ''false'' WHERE name = ''use_materialized_views'').';
