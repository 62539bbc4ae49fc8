-- 0055: get_mv_usage_stats(days) from pg_stat_statements's cumulative counters, or a clear error when it is not installed.
-- Up Migration
CREATE OR REPLACE FUNCTION funeral.get_mv_usage_stats(days_back int DEFAULT 7)
RETURNS TABLE (view_name text, estimated_queries_per_day bigint, avg_query_time_ms double precision, last_used timestamptz,
               total_calls bigint, stats_since timestamptz)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ext_schema name;
  since timestamptz;
  days numeric;
BEGIN
  SELECT n.nspname INTO ext_schema FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
  WHERE e.extname = 'pg_stat_statements';
  IF ext_schema IS NULL THEN
    RAISE EXCEPTION 'pg_stat_statements is not installed in database %: no usage statistics are available', current_database()
      USING ERRCODE = '55000',
            HINT = 'Add pg_stat_statements to shared_preload_libraries, restart PostgreSQL, then CREATE EXTENSION pg_stat_statements (npm run db:migrate does it when preloaded).';
  END IF;
  IF days_back IS NULL OR days_back < 1 THEN
    RAISE EXCEPTION 'days_back must be at least 1, got %', days_back USING ERRCODE = '22023';
  END IF;
  EXECUTE format('SELECT stats_reset FROM %I.pg_stat_statements_info', ext_schema) INTO since;
  -- pg_stat_statements keeps totals since its last reset, not per day, and no start or end time per query (seed
  -- defect 10): the daily rate is calls over the days since the reset, whatever days_back asks for.
  days := GREATEST(extract(epoch FROM now() - since) / 86400, 1);
  IF days_back < days THEN
    RAISE NOTICE 'pg_stat_statements counts since its reset at %; a % day window cannot be isolated (call pg_stat_statements_reset() to start one)', since, days_back;
  END IF;
  RETURN QUERY EXECUTE format($q$
    SELECT v.name, (sum(s.calls) / $1)::bigint, sum(s.total_exec_time) / NULLIF(sum(s.calls), 0), NULL::timestamptz,
           sum(s.calls)::bigint, $2
    FROM unnest(ARRAY['mv_organization_dashboard', 'mv_service_performance', 'mv_location_availability',
                      'mv_customer_lifetime_value', 'mv_realtime_availability', 'mv_financial_summary', 'mv_search_index']) v(name)
    JOIN %I.pg_stat_statements s
      ON s.dbid = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
     AND s.query ~* ('\m(funeral|funeral_mv)\.' || CASE v.name WHEN 'mv_realtime_availability' THEN '(mv_)?realtime_availability' ELSE v.name END || '\M')
     AND s.query !~* '^\s*(refresh|create|comment|explain|grant|revoke|select mv_ops)'
    GROUP BY v.name
    ORDER BY sum(s.calls) DESC $q$, ext_schema) USING days, since;
END
$$;
COMMENT ON FUNCTION funeral.get_mv_usage_stats(int) IS
  'Reads of each funeral view from pg_stat_statements (statements naming funeral.<view> or its storage in funeral_mv; refreshes and DDL excluded): calls per day since stats_since (the statistics reset), mean execution time. last_used is NULL: pg_stat_statements does not record it. Fails with SQLSTATE 55000 and a hint when pg_stat_statements is not installed.';
REVOKE ALL ON FUNCTION funeral.get_mv_usage_stats(int) FROM PUBLIC;
-- Operations data, for the same readers as mv_ops's status and history.
GRANT EXECUTE ON FUNCTION funeral.get_mv_usage_stats(int) TO mv_ops_reader;
