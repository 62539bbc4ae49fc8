-- 0090: abandoned-run detection: unclaimed runs reaped after a timeout; live runs never reaped when the owner cannot see backend_start.
-- Up Migration
INSERT INTO mv_ops.setting (name, value, description) VALUES
  ('unclaimed_run_timeout', '5 minutes',
   'A run created but never claimed by a session for this long is marked failed (its views skipped): it would otherwise count as running forever.')
ON CONFLICT (name) DO NOTHING;

CREATE OR REPLACE FUNCTION mv_ops.reap_abandoned()
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n int;
BEGIN
  WITH dead AS (
    SELECT r.run_id, r.backend_pid IS NULL AS unclaimed FROM mv_ops.refresh_run r
    WHERE r.status = 'running'
      AND CASE WHEN r.backend_pid IS NULL
               -- Nobody owns it, so no session can die to reveal it: only its age can.
               THEN r.created_at < mv_ops.clock() - mv_ops.setting_interval('unclaimed_run_timeout')
               -- backend_start tells a reused pid apart, but an owner without pg_read_all_stats sees it NULL
               -- for other roles' sessions: then a live pid counts as alive rather than reaping a live run.
               ELSE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                                WHERE a.pid = r.backend_pid
                                  AND (a.backend_start IS NULL OR a.backend_start = r.backend_start))
          END
  ), running AS (
    UPDATE mv_ops.refresh_log l
    SET status = 'failed', finished_at = mv_ops.clock(),
        message = format('abandoned: the session (pid %s) running this refresh ended before it finished', l.backend_pid)
    FROM dead WHERE l.run_id = dead.run_id AND l.status = 'running'
    RETURNING l.run_id
  ), queued AS (
    UPDATE mv_ops.refresh_log l
    SET status = 'skipped', finished_at = mv_ops.clock(),
        message = CASE WHEN dead.unclaimed
                       THEN 'skipped: no session claimed the run within ' || mv_ops.setting_interval('unclaimed_run_timeout')::text
                       ELSE 'skipped: the run was abandoned' END
    FROM dead WHERE l.run_id = dead.run_id AND l.status = 'queued'
    RETURNING l.run_id
  ), runs AS (
    UPDATE mv_ops.refresh_run r SET status = 'failed', finished_at = mv_ops.clock()
    FROM dead WHERE r.run_id = dead.run_id
    RETURNING r.run_id
  )
  SELECT count(*) INTO n FROM runs;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.reap_abandoned() IS
  'Marks runs whose session died (killed backend, crash), or that no session claimed within unclaimed_run_timeout, failed: their running attempt "abandoned", the rest skipped. Called by every run and the status.';
