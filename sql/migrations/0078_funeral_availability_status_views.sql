-- 0078: the funeral log, freshness and alert views read the availability aggregate's state from mv_ops, like the six views'.
-- Up Migration
CREATE OR REPLACE VIEW funeral.materialized_view_refresh_logs AS
SELECT 'mv_ops:' || h.log_id AS id,
       CASE WHEN h.view_name = 'funeral_mv.realtime_availability' THEN 'mv_realtime_availability'
            ELSE split_part(h.view_name, '.', 2) END AS view_name,
       -- The aggregate's own log says whether mv_ops's attempt recomputed in full or incrementally.
       COALESCE(a.refresh_type, CASE WHEN h.trigger = 'schedule' THEN 'scheduled' ELSE 'full' END) AS refresh_type,
       round(h.duration_ms)::int AS duration_ms,
       h.rows_after AS rows_affected,
       CASE h.status WHEN 'succeeded' THEN 'completed' WHEN 'running' THEN 'started' WHEN 'queued' THEN 'started' ELSE h.status END AS status,
       CASE WHEN h.status IN ('failed', 'skipped') THEN concat_ws(': ', h.sqlstate, h.message) END AS error_message,
       COALESCE(h.started_at, h.finished_at) AS created_at,
       h.finished_at,
       h.requested_by
FROM mv_ops.refresh_history h
LEFT JOIN funeral_mv.aggregate_refresh_log a ON a.mv_ops_log_id = h.log_id
WHERE h.pack = 'funeral'
UNION ALL
-- Direct calls of funeral.refresh_realtime_availability(), which mv_ops did not run.
SELECT 'aggregate:' || a.log_id, a.view_name, a.refresh_type, round(a.duration_ms)::int, a.rows_affected, a.status,
       a.error_message, a.started_at, a.finished_at, a.requested_by
FROM funeral_mv.aggregate_refresh_log a
WHERE a.mv_ops_log_id IS NULL;
COMMENT ON VIEW funeral.materialized_view_refresh_logs IS
  'Seed refresh log, actually written (seed defect 9): every mv_ops attempt on a funeral view, the availability aggregate included (refresh_type full, incremental for the aggregate''s scheduled recomputes, or scheduled), and direct calls of funeral.refresh_realtime_availability() outside mv_ops. status: started, completed, failed, skipped.';

CREATE OR REPLACE VIEW funeral.realtime_availability_freshness AS
SELECT f.view_name AS view,
       f.pack,
       f.state,
       f.last_success_at,
       round(extract(epoch FROM mv_ops.now() - f.last_success_at)::numeric, 1) AS age_seconds,
       f.last_error
FROM mv_ops.freshness f
WHERE f.view_name = 'funeral_mv.realtime_availability';
COMMENT ON VIEW funeral.realtime_availability_freshness IS
  'The availability aggregate''s row of mv_ops.freshness in this view''s original shape: state (fresh, warn, stale, failing, never_refreshed, paused) judged by mv_ops against warn_after 20 minutes and error_after 1 hour of lag behind funeral.availabilities, and age_seconds since the last successful refresh. Kept for existing readers; mv_ops.freshness has the full row.';

CREATE OR REPLACE VIEW funeral.freshness_alert AS
SELECT a.view, a.pack, a.severity FROM mv_ops.freshness_alert a WHERE a.pack = 'funeral';
COMMENT ON VIEW funeral.freshness_alert IS
  'mv_ops.freshness_alert for the funeral pack: its seven managed views, the availability aggregate included, for one Grafana alert rule (severity >= 2).';
