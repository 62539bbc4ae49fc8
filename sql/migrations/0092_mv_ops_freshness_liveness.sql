-- 0092: freshness judges a running attempt alive by its session's locks (mv_ops.session_alive), so a non-superuser owner does not show live refreshes as failing.
-- Up Migration
CREATE OR REPLACE FUNCTION mv_ops.freshness_at(at timestamptz)
RETURNS TABLE (
  view_name text, pack text, description text, state text, enabled boolean,
  last_success_at timestamptz, last_attempt_at timestamptz, last_attempt_status text, last_error text,
  lag_seconds numeric, warn_after_seconds numeric, error_after_seconds numeric,
  last_duration_ms numeric, typical_duration_ms numeric, size_bytes bigint, row_estimate bigint,
  schedule text, date_relative boolean, due boolean, due_reason text
)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- Catalog joins are estimated at thousands of rows; JIT would spend seconds compiling for a handful.
SET jit = off
AS $$
  -- A view is as far behind as the furthest-behind view under it: a failing upstream makes its dependents stale too.
  WITH RECURSIVE st AS (SELECT * FROM mv_ops.view_state_at(at)),
  ups(view_id, up_id) AS (
    SELECT view_id, view_id FROM mv_ops.managed_view
    UNION
    SELECT u.view_id, vs.upstream_view_id FROM ups u
    JOIN mv_ops.view_source vs ON vs.view_id = u.up_id AND vs.kind = 'managed_view'
  ),
  effective AS (SELECT u.view_id, max(st.lag) AS lag FROM ups u JOIN st ON st.view_id = u.up_id GROUP BY u.view_id)
  SELECT mv_ops.qualified_name(m), m.pack, m.description,
         CASE
           WHEN NOT m.enabled THEN 'paused'
           WHEN s.last_success_finished IS NULL OR NOT s.populated THEN 'never_refreshed'
           WHEN la.effective_status = 'failed' THEN 'failing'
           WHEN e.lag > m.error_after THEN 'stale'
           WHEN e.lag > m.warn_after THEN 'warn'
           ELSE 'fresh'
         END,
         m.enabled, s.last_success_finished, la.started_at, la.effective_status,
         CASE WHEN la.effective_status = 'failed' THEN concat_ws(': ', la.sqlstate, la.message) END,
         round(extract(epoch FROM e.lag)::numeric, 1),
         round(extract(epoch FROM m.warn_after)), round(extract(epoch FROM m.error_after)),
         ok.last_ms, ok.median_ms,
         pg_total_relation_size(mv_ops.view_oid(m)),
         COALESCE(ok.last_rows, GREATEST(c.reltuples, 0)::bigint),
         m.schedule, m.date_relative, s.due, s.due_reason
  FROM mv_ops.managed_view m
  JOIN st s USING (view_id)
  JOIN effective e USING (view_id)
  LEFT JOIN pg_catalog.pg_class c ON c.oid = mv_ops.view_oid(m)
  LEFT JOIN LATERAL (
    -- A running attempt whose session is gone is shown as failed before the next run reaps it.
    SELECT l.started_at, l.sqlstate,
           CASE WHEN l.status = 'running' AND NOT mv_ops.session_alive(l.backend_pid, l.backend_start, l.run_id, l.view_id)
                THEN 'failed' ELSE l.status END AS effective_status,
           CASE WHEN l.status = 'running' THEN COALESCE(l.message, 'abandoned: the session running this refresh ended')
                ELSE l.message END AS message
    FROM mv_ops.refresh_log l
    WHERE l.view_id = m.view_id AND l.status IN ('running', 'succeeded', 'failed')
    ORDER BY l.log_id DESC LIMIT 1
  ) la ON true
  LEFT JOIN LATERAL (
    SELECT (array_agg(l.duration_ms ORDER BY l.log_id DESC))[1] AS last_ms,
           (array_agg(l.rows_after ORDER BY l.log_id DESC))[1] AS last_rows,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY l.duration_ms)::numeric AS median_ms
    FROM (SELECT * FROM mv_ops.refresh_log l WHERE l.view_id = m.view_id AND l.status = 'succeeded'
          ORDER BY l.log_id DESC LIMIT 20) l
  ) ok ON true;
$$;
COMMENT ON FUNCTION mv_ops.freshness_at(timestamptz) IS 'Freshness of every managed view as of a moment (tests pass a moment; dashboards use mv_ops.freshness).';
