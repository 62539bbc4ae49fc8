-- 0058: freshness of the availability aggregate in mv_ops.freshness_alert's shape (mv_ops tracks materialized views only).
-- Up Migration
CREATE OR REPLACE VIEW funeral.realtime_availability_freshness AS
WITH last_attempt AS (
  SELECT l.status, l.error_message, l.finished_at FROM funeral_mv.aggregate_refresh_log l ORDER BY l.log_id DESC LIMIT 1
), last_success AS (
  SELECT max(l.finished_at) AS at FROM funeral_mv.aggregate_refresh_log l WHERE l.status = 'completed'
), st AS (
  SELECT s.window_start, s.full_needed FROM funeral_mv.realtime_availability_state s
)
SELECT 'funeral_mv.realtime_availability'::text AS view,
       'funeral'::text AS pack,
       CASE
         WHEN (SELECT status FROM last_attempt) = 'failed' THEN 'failing'
         WHEN (SELECT at FROM last_success) IS NULL OR (SELECT full_needed FROM st) THEN 'never_refreshed'
         -- The window is anchored on the day of the last refresh: after midnight it is a day behind.
         WHEN (SELECT window_start FROM st) < CURRENT_DATE OR now() - (SELECT at FROM last_success) > interval '1 hour' THEN 'stale'
         WHEN now() - (SELECT at FROM last_success) > interval '20 minutes' THEN 'warn'
         ELSE 'fresh'
       END AS state,
       (SELECT at FROM last_success) AS last_success_at,
       round(extract(epoch FROM now() - (SELECT at FROM last_success))::numeric, 1) AS age_seconds,
       (SELECT error_message FROM last_attempt WHERE status = 'failed') AS last_error;
COMMENT ON VIEW funeral.realtime_availability_freshness IS
  'One row: whether the availability aggregate is kept up (refreshed every 15 minutes): fresh under 20 minutes since the last success, warn under an hour, stale beyond or when its window starts before today, failing when the last attempt failed. Thresholds follow the 15-minute job; age, not lag, since slot changes are not timestamped.';

CREATE OR REPLACE VIEW funeral.freshness_alert AS
SELECT a.view, a.pack, a.severity FROM mv_ops.freshness_alert a WHERE a.pack = 'funeral'
UNION ALL
SELECT f.view, f.pack,
       CASE f.state WHEN 'fresh' THEN 0 WHEN 'warn' THEN 1 WHEN 'stale' THEN 2 WHEN 'never_refreshed' THEN 2 ELSE 3 END::float8
FROM funeral.realtime_availability_freshness f;
COMMENT ON VIEW funeral.freshness_alert IS 'mv_ops.freshness_alert for the funeral pack plus the availability aggregate: one Grafana alert rule (severity >= 2) covers all seven.';

REVOKE ALL ON funeral.realtime_availability_freshness, funeral.freshness_alert FROM PUBLIC;
-- Operations data, for the same readers as mv_ops's status and history.
GRANT SELECT ON funeral.realtime_availability_freshness, funeral.freshness_alert TO mv_ops_reader;
