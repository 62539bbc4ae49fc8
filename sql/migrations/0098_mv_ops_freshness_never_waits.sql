-- 0098: status readers never wait for a view's lock: a plain REFRESH (a view's first, a rebuild) holds ACCESS EXCLUSIVE, and the sizes waited behind it.
-- Also: a view whose last attempt failed is 'failing' even if it was never populated (it was 'never_refreshed').
-- Up Migration

-- pg_total_relation_size and pg_relation_size open the relation with ACCESS SHARE, which waits for the ACCESS
-- EXCLUSIVE lock a plain REFRESH MATERIALIZED VIEW holds until its transaction ends (a never-populated view's
-- first refresh, pos.emergency_rebuild_mv, any REFRESH outside mv_ops): mv_ops.freshness, and with it the
-- service's GET /api/views, the dashboards and the alert rules, stalled for the whole refresh.
-- Exact sizes, or NULL while the lock is held. Not pg_class.relpages estimates: mv_ops refreshes populated
-- views CONCURRENTLY, which leaves relpages as the last VACUUM/ANALYZE saw it (a view's size can be off by
-- several times until autovacuum runs), and a locked never-populated view would read 0 bytes, not "unknown".
CREATE OR REPLACE FUNCTION mv_ops.relation_size_nowait(rel regclass, fork text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
-- Long enough for a lock held for an instant (VACUUM truncating the heap), short enough that a reader
-- never notices a REFRESH. The size functions release their lock at once; nothing is held afterwards.
SET lock_timeout = '5ms'
AS $$
BEGIN
  IF fork IS NULL THEN
    RETURN pg_catalog.pg_total_relation_size(rel);
  END IF;
  RETURN pg_catalog.pg_relation_size(rel, fork);
EXCEPTION WHEN lock_not_available THEN
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION mv_ops.relation_size_nowait(regclass, text) IS
  'Size in bytes of a relation without waiting for its lock: fork NULL is pg_total_relation_size (heap, TOAST and indexes), else pg_relation_size of that fork (main, fsm, vm, init). NULL while another session holds ACCESS EXCLUSIVE on it (a plain REFRESH MATERIALIZED VIEW, DDL) or when it does not exist: unknown, not zero.';
REVOKE ALL ON FUNCTION mv_ops.relation_size_nowait(regclass, text) FROM PUBLIC;
-- pos.mv_freshness_monitor and funeral.mv_monitoring are plain views: their readers call it with their own rights.
-- It reveals nothing new: PUBLIC may call pg_total_relation_size on any relation.
GRANT EXECUTE ON FUNCTION mv_ops.relation_size_nowait(regclass, text) TO mv_ops_reader;

-- As in 0092, but size_bytes through mv_ops.relation_size_nowait. Same columns, so mv_ops.freshness (SELECT * from
-- this), mv_ops.freshness_alert, funeral.view_freshness and pos.mv_freshness_monitor stay as they are.
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
           -- A failing refresh outranks "never refreshed": a view whose first refresh fails is broken, not
           -- merely new, and its alert must be the failing one (severity 3), not a warning.
           WHEN la.effective_status = 'failed' THEN 'failing'
           WHEN s.last_success_finished IS NULL OR NOT s.populated THEN 'never_refreshed'
           WHEN e.lag > m.error_after THEN 'stale'
           WHEN e.lag > m.warn_after THEN 'warn'
           ELSE 'fresh'
         END,
         m.enabled, s.last_success_finished, la.started_at, la.effective_status,
         CASE WHEN la.effective_status = 'failed' THEN concat_ws(': ', la.sqlstate, la.message) END,
         round(extract(epoch FROM e.lag)::numeric, 1),
         round(extract(epoch FROM m.warn_after)), round(extract(epoch FROM m.error_after)),
         ok.last_ms, ok.median_ms,
         mv_ops.relation_size_nowait(mv_ops.view_oid(m)::regclass),
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
COMMENT ON FUNCTION mv_ops.freshness_at(timestamptz) IS
  'Freshness of every managed view as of a moment (tests pass a moment; dashboards use mv_ops.freshness). Never waits for a view''s lock: size_bytes is NULL while a plain REFRESH (or DDL) holds the view.';
REVOKE ALL ON FUNCTION mv_ops.freshness_at(timestamptz) FROM PUBLIC;
-- As granted in 0018: status for every reader of mv_ops (mv_ops.freshness calls it with the reader's rights).
GRANT EXECUTE ON FUNCTION mv_ops.freshness_at(timestamptz) TO mv_ops_reader;

COMMENT ON VIEW mv_ops.freshness IS
  'One row per managed view: state (fresh, warn, stale, failing, never_refreshed, paused), last success and attempt, lag behind its sources in seconds, through upstream managed views (0 when nothing changed since the last refresh), thresholds, durations, size and rows. Never waits for a view''s lock: size_bytes is NULL while a plain REFRESH holds the view (e.g. its first refresh).';
REVOKE ALL ON mv_ops.freshness FROM PUBLIC;
-- As granted in 0018: the status the service, the dashboards and the alert rules read.
GRANT SELECT ON mv_ops.freshness TO mv_ops_reader;

-- The seed monitoring views read sizes the same way; operators (and the Grafana sales login, which is an
-- mv_ops_reader) query them during rebuilds. Same columns; a locked view's sizes are NULL.
CREATE OR REPLACE VIEW pos.mv_freshness_monitor AS
SELECT m.schemaname, m.matviewname, m.hasindexes, m.ispopulated,
       f.last_success_at AS last_refresh,
       pg_size_pretty(mv_ops.relation_size_nowait(format('%I.%I', m.schemaname, m.matviewname)::regclass)) AS size,
       round(extract(epoch FROM now() - f.last_success_at)::numeric / 3600, 2) AS hours_since_refresh,
       f.state, f.lag_seconds
FROM pg_catalog.pg_matviews m
JOIN mv_ops.freshness f ON f.view_name = format('%I.%I', m.schemaname, m.matviewname)
WHERE m.schemaname = 'pos'
ORDER BY f.last_success_at DESC NULLS LAST;
COMMENT ON VIEW pos.mv_freshness_monitor IS
  'The seed''s freshness monitor, with last_refresh taken from the mv_ops refresh log (pg_matviews has no such column), plus state and lag. size is NULL while a plain REFRESH (or DDL) holds the view; it never waits for it.';
REVOKE ALL ON pos.mv_freshness_monitor FROM PUBLIC;
-- As granted in 0033: operations data for every reader of mv_ops status.
GRANT SELECT ON pos.mv_freshness_monitor TO mv_ops_reader;

CREATE OR REPLACE VIEW funeral.mv_monitoring AS
SELECT n.nspname::text AS schemaname,
       CASE WHEN c.relkind = 'r' THEN 'mv_realtime_availability' ELSE c.relname::text END AS matviewname,
       CASE WHEN c.relkind = 'r' THEN 'table (incremental)' ELSE 'materialized view' END AS storage,
       pg_size_pretty(s.total_bytes) AS total_size,
       pg_size_pretty(s.main_bytes) AS relation_size,
       pg_size_pretty(s.total_bytes - s.main_bytes) AS index_size,
       l.last_refresh,
       COALESCE(l.refreshes_today, 0) AS refreshes_today,
       s.total_bytes
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
-- OFFSET 0: each size is asked once per view (a pulled-up subquery would repeat the calls in every column).
CROSS JOIN LATERAL (
  SELECT mv_ops.relation_size_nowait(c.oid::regclass) AS total_bytes,
         mv_ops.relation_size_nowait(c.oid::regclass, 'main') AS main_bytes
  OFFSET 0
) s
LEFT JOIN LATERAL (
  SELECT max(g.finished_at) FILTER (WHERE g.status = 'completed') AS last_refresh,
         count(*) FILTER (WHERE g.created_at >= CURRENT_DATE) AS refreshes_today
  FROM funeral.materialized_view_refresh_logs g
  WHERE g.view_name = CASE WHEN c.relkind = 'r' THEN 'mv_realtime_availability' ELSE c.relname::text END
) l ON true
WHERE n.nspname = 'funeral_mv' AND (c.relkind = 'm' OR c.oid = 'funeral_mv.realtime_availability'::regclass)
-- Largest first; a view whose size is unknown (locked) last.
ORDER BY s.total_bytes DESC NULLS LAST;
COMMENT ON VIEW funeral.mv_monitoring IS
  'Seed monitoring view: size of each funeral view (materialized views and the availability table), its last successful refresh and attempts today. Freshness states are in mv_ops.freshness. Sizes are NULL (and the row sorts last) while a plain REFRESH (or DDL) holds the view; it never waits for it.';
REVOKE ALL ON funeral.mv_monitoring FROM PUBLIC;
-- As granted in 0054: operations data, for the same readers as mv_ops's status and history.
GRANT SELECT ON funeral.mv_monitoring TO mv_ops_reader;
