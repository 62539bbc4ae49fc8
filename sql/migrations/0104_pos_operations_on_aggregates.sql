-- 0104: the seed's operations on the sales aggregates: the freshness monitor lists tables as it listed views, and
-- the emergency rebuild of a table-backed aggregate rebuilds its indexes and recomputes every row from the source.
-- Up Migration
CREATE OR REPLACE VIEW pos.mv_freshness_monitor AS
SELECT n.nspname AS schemaname, c.relname AS matviewname, c.relhasindex AS hasindexes,
       -- A table is "populated" once a refresh has filled it; a materialized view says so itself.
       CASE WHEN c.relkind = 'm' THEN c.relispopulated ELSE f.last_success_at IS NOT NULL END AS ispopulated,
       f.last_success_at AS last_refresh,
       pg_size_pretty(mv_ops.relation_size_nowait(c.oid::regclass)) AS size,
       round(extract(epoch FROM now() - f.last_success_at)::numeric / 3600, 2) AS hours_since_refresh,
       f.state, f.lag_seconds
FROM mv_ops.freshness f
JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(f.view_name)
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE f.pack = 'sales'
ORDER BY f.last_success_at DESC NULLS LAST;
COMMENT ON VIEW pos.mv_freshness_monitor IS
  'The seed''s freshness monitor over the sales views (table-backed aggregates since 0101), with last_refresh taken from the mv_ops refresh log, plus state and lag. size never waits for a lock (NULL while DDL holds the table).';
REVOKE ALL ON pos.mv_freshness_monitor FROM PUBLIC;
-- As granted in 0033: operations data for every reader of mv_ops status.
GRANT SELECT ON pos.mv_freshness_monitor TO mv_ops_reader;

CREATE OR REPLACE FUNCTION pos.rebuild_views()
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v record;
  n int := 0;
BEGIN
  FOR v IN
    SELECT m.view_id, m.schema_name, m.view_name FROM mv_ops.managed_view m JOIN mv_ops.view_level lv USING (view_id)
    WHERE m.pack = 'sales' AND m.kind = 'aggregate' ORDER BY lv.level, m.view_name
  LOOP
    -- The rows stay until the full refresh that follows replaces them (readers keep their dashboards; a failed
    -- refresh loses nothing); the indexes are rebuilt now, and the incremental state is set aside (full refresh pending).
    EXECUTE format('REINDEX TABLE %I.%I', v.schema_name, v.view_name);
    UPDATE mv_ops.key_progress p SET full_pending = true WHERE p.view_id = v.view_id;
    n := n + 1;
  END LOOP;
  RETURN n;
END
$$;
COMMENT ON FUNCTION pos.rebuild_views() IS
  'Emergency rebuild of the sales aggregates, in one transaction: rebuilds every index (REINDEX) and marks a full refresh pending, so the refresh that follows (pos.emergency_rebuild_mv) recomputes every row from pos.lengolf_sales. Returns how many it rebuilt.';
REVOKE ALL ON FUNCTION pos.rebuild_views() FROM PUBLIC;
-- No grant: pos.emergency_rebuild_mv (operators) calls it, as before.
