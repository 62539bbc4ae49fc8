-- 0002: the mv_ops schema and the two roles other parts are granted to: a reader and an operator.
-- Up Migration
CREATE SCHEMA IF NOT EXISTS mv_ops;
COMMENT ON SCHEMA mv_ops IS 'matview-ops core: registry of managed materialized views, refresh engine, refresh log, freshness and scheduling.';
REVOKE ALL ON SCHEMA mv_ops FROM PUBLIC;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'mv_ops_reader') THEN
    CREATE ROLE mv_ops_reader NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'mv_ops_operator') THEN
    CREATE ROLE mv_ops_operator NOLOGIN;
  END IF;
END
$$;
COMMENT ON ROLE mv_ops_reader IS 'matview-ops: reads freshness status, refresh history and the views dashboards read (grant to Grafana data source logins).';
COMMENT ON ROLE mv_ops_operator IS 'matview-ops: may run refreshes of managed views and read their status, nothing else (grant to the refresh service login).';

-- Functions are executable by PUBLIC by default; nothing in mv_ops should be.
ALTER DEFAULT PRIVILEGES IN SCHEMA mv_ops REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
