-- 0013: per-view state at a given time: what changed since the last success, how far behind it is, whether it is due.
-- Up Migration
CREATE OR REPLACE FUNCTION mv_ops.view_state_at(at timestamptz)
RETURNS TABLE (
  view_id int, last_success_started timestamptz, last_success_finished timestamptz,
  populated boolean, sources_changed boolean, upstream_newer boolean, day_turned boolean,
  schedule_fired boolean, full_refresh_fired boolean, lag interval, due boolean, due_reason text
)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- Catalog joins are estimated at thousands of rows; JIT would spend seconds compiling for a handful.
SET jit = off
AS $$
  WITH base AS (
    SELECT m.*, COALESCE(m.last_schedule_check, m.registered_at) AS checked_until,
           COALESCE(c.relispopulated, false) AS populated,
           ls.started_at AS ls_started, ls.finished_at AS ls_finished, ls.snapshot_xmin AS ls_xmin
    FROM mv_ops.managed_view m
    LEFT JOIN pg_catalog.pg_class c ON c.oid = mv_ops.view_oid(m)
    LEFT JOIN LATERAL (SELECT l.started_at, l.finished_at, l.snapshot_xmin FROM mv_ops.refresh_log l
                       WHERE l.view_id = m.view_id AND l.status = 'succeeded'
                       ORDER BY l.log_id DESC LIMIT 1) ls ON true
  ), evidence AS (
    SELECT b.*,
           (SELECT min(sc.changed_at) FROM mv_ops.view_source s
            JOIN mv_ops.source_change sc ON sc.source_oid = s.source::oid
            WHERE s.view_id = b.view_id AND s.kind = 'table' AND (b.ls_xmin IS NULL OR sc.xid >= b.ls_xmin)) AS first_change,
           (SELECT min(ul.finished_at) FROM mv_ops.view_source s
            JOIN mv_ops.refresh_log ul ON ul.view_id = s.upstream_view_id AND ul.status = 'succeeded'
            WHERE s.view_id = b.view_id AND s.kind = 'managed_view' AND ul.finished_at > b.ls_started) AS first_upstream,
           b.date_relative AND b.ls_started IS NOT NULL
             AND (at AT TIME ZONE b.time_zone)::date > (b.ls_started AT TIME ZONE b.time_zone)::date AS day_turned,
           mv_ops.cron_fired(b.schedule, b.time_zone, b.checked_until, at) AS ticked,
           b.full_refresh_schedule IS NOT NULL
             AND mv_ops.cron_fired(b.full_refresh_schedule, b.time_zone, b.checked_until, at) AS full_fired
    FROM base b
  )
  SELECT e.view_id, e.ls_started, e.ls_finished, e.populated,
         e.first_change IS NOT NULL, e.first_upstream IS NOT NULL, e.day_turned, e.ticked, e.full_fired,
         GREATEST(interval '0',
                  at - e.first_change,
                  at - e.first_upstream,
                  CASE WHEN e.day_turned THEN at - (date_trunc('day', at AT TIME ZONE e.time_zone) AT TIME ZONE e.time_zone) END),
         e.enabled AND (NOT e.populated OR e.ls_started IS NULL OR e.full_fired
                        OR (e.ticked AND (e.first_change IS NOT NULL OR e.first_upstream IS NOT NULL OR e.day_turned))),
         CASE
           WHEN NOT e.enabled THEN NULL
           WHEN NOT e.populated OR e.ls_started IS NULL THEN 'never refreshed'
           WHEN e.full_fired THEN 'full refresh scheduled'
           WHEN NOT e.ticked THEN NULL
           WHEN e.first_change IS NOT NULL THEN 'sources changed'
           WHEN e.first_upstream IS NOT NULL THEN 'upstream refreshed'
           WHEN e.day_turned THEN 'day turned'
         END
  FROM evidence e;
$$;
COMMENT ON FUNCTION mv_ops.view_state_at(timestamptz) IS
  'For each managed view at a moment: whether its sources changed since the snapshot of its last success, whether an upstream view refreshed after it, whether the day turned (date-relative views), whether its schedules fired since the last check, its lag, and whether (and why) a scheduled run should refresh it.';
