-- 0054: the seed's refresh log and monitoring view, built on mv_ops's log plus the availability aggregate's own log.
-- Up Migration
CREATE OR REPLACE VIEW funeral.materialized_view_refresh_logs AS
SELECT 'mv_ops:' || h.log_id AS id,
       split_part(h.view_name, '.', 2) AS view_name,
       CASE WHEN h.trigger = 'schedule' THEN 'scheduled' ELSE 'full' END AS refresh_type,
       round(h.duration_ms)::int AS duration_ms,
       h.rows_after AS rows_affected,
       CASE h.status WHEN 'succeeded' THEN 'completed' WHEN 'running' THEN 'started' WHEN 'queued' THEN 'started' ELSE h.status END AS status,
       CASE WHEN h.status IN ('failed', 'skipped') THEN concat_ws(': ', h.sqlstate, h.message) END AS error_message,
       COALESCE(h.started_at, h.finished_at) AS created_at,
       h.finished_at,
       h.requested_by
FROM mv_ops.refresh_history h
WHERE h.pack = 'funeral'
UNION ALL
SELECT 'aggregate:' || a.log_id, a.view_name, a.refresh_type, round(a.duration_ms)::int, a.rows_affected, a.status,
       a.error_message, a.started_at, a.finished_at, a.requested_by
FROM funeral_mv.aggregate_refresh_log a;
COMMENT ON VIEW funeral.materialized_view_refresh_logs IS
  'Seed refresh log, actually written (seed defect 9): every mv_ops attempt on a funeral view (refresh_type full, or scheduled when the scheduler asked) and every availability aggregate refresh (full or incremental). status: started, completed, failed, skipped.';

CREATE OR REPLACE VIEW funeral.mv_monitoring AS
SELECT n.nspname::text AS schemaname,
       CASE WHEN c.relkind = 'r' THEN 'mv_realtime_availability' ELSE c.relname::text END AS matviewname,
       CASE WHEN c.relkind = 'r' THEN 'table (incremental)' ELSE 'materialized view' END AS storage,
       pg_size_pretty(pg_total_relation_size(c.oid)) AS total_size,
       pg_size_pretty(pg_relation_size(c.oid)) AS relation_size,
       pg_size_pretty(pg_total_relation_size(c.oid) - pg_relation_size(c.oid)) AS index_size,
       l.last_refresh,
       COALESCE(l.refreshes_today, 0) AS refreshes_today,
       pg_total_relation_size(c.oid) AS total_bytes
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL (
  SELECT max(g.finished_at) FILTER (WHERE g.status = 'completed') AS last_refresh,
         count(*) FILTER (WHERE g.created_at >= CURRENT_DATE) AS refreshes_today
  FROM funeral.materialized_view_refresh_logs g
  WHERE g.view_name = CASE WHEN c.relkind = 'r' THEN 'mv_realtime_availability' ELSE c.relname::text END
) l ON true
WHERE n.nspname = 'funeral_mv' AND (c.relkind = 'm' OR c.oid = 'funeral_mv.realtime_availability'::regclass)
ORDER BY pg_total_relation_size(c.oid) DESC;
COMMENT ON VIEW funeral.mv_monitoring IS
  'Seed monitoring view: size of each funeral view (materialized views and the availability table), its last successful refresh and attempts today. Freshness states are in mv_ops.freshness.';

REVOKE ALL ON funeral.materialized_view_refresh_logs, funeral.mv_monitoring FROM PUBLIC;
-- Operations data, for the same readers as mv_ops's status and history.
GRANT USAGE ON SCHEMA funeral TO mv_ops_reader;
GRANT SELECT ON funeral.materialized_view_refresh_logs, funeral.mv_monitoring TO mv_ops_reader;
