-- 0090: abandoned-run detection that needs no pg_read_all_stats: a run's session holds a lock on it; unclaimed runs time out.
-- Up Migration
INSERT INTO mv_ops.setting (name, value, description) VALUES
  ('unclaimed_run_timeout', '5 minutes',
   'A run created but never claimed by a session for this long is marked failed (its views skipped): it would otherwise count as running forever.')
ON CONFLICT (name) DO NOTHING;

-- pg_stat_activity hides other roles' backend_start from an owner without pg_read_all_stats, so a pid
-- alone cannot tell the run's session from a later one that reused the pid. pg_locks is visible to all:
-- the claiming session holds a session-level advisory lock on its run until finish_run or its death.
CREATE OR REPLACE FUNCTION mv_ops.run_lock_key(run bigint)
RETURNS int
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT (run % 2147483647)::int $$;
COMMENT ON FUNCTION mv_ops.run_lock_key(bigint) IS
  'Second half of the advisory lock key (hashtext(''mv_ops.run''), key) a run''s session holds while it executes the run.';
REVOKE ALL ON FUNCTION mv_ops.run_lock_key(bigint) FROM PUBLIC;

CREATE OR REPLACE FUNCTION mv_ops.session_alive(pid int, started timestamptz, run bigint, view_id int DEFAULT NULL)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks k
                 WHERE k.locktype = 'advisory' AND k.pid = session_alive.pid AND k.objsubid = 2 AND k.granted
                   AND ((k.classid = pg_catalog.hashtext('mv_ops.run')::oid AND k.objid = mv_ops.run_lock_key(run)::oid)
                        OR (k.classid = pg_catalog.hashtext('mv_ops.refresh')::oid AND k.objid = session_alive.view_id::oid)))
      -- Runs claimed before the run lock existed: the session's start time, where it is visible.
      OR EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid = session_alive.pid AND a.backend_start = started)
$$;
COMMENT ON FUNCTION mv_ops.session_alive(int, timestamptz, bigint, int) IS
  'Whether the session that claimed a run (or runs an attempt of view_id) is still there: it holds the run lock or the view''s refresh lock. A pid reused by another session holds neither.';
REVOKE ALL ON FUNCTION mv_ops.session_alive(int, timestamptz, bigint, int) FROM PUBLIC;

CREATE OR REPLACE FUNCTION mv_ops.claim_run(target_run bigint)
RETURNS void
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext('mv_ops.run'), mv_ops.run_lock_key(target_run));
  UPDATE mv_ops.refresh_run r
  SET backend_pid = pg_catalog.pg_backend_pid(),
      backend_start = (SELECT a.backend_start FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_catalog.pg_backend_pid())
  WHERE r.run_id = target_run;
$$;
COMMENT ON FUNCTION mv_ops.claim_run(bigint) IS
  'Records which session executes a run and takes the session-level lock on it that proves the session is alive.';

CREATE OR REPLACE FUNCTION mv_ops.finish_run(target_run bigint)
RETURNS text
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  -- Unlock only when held, so a run finished by another session raises no warning.
  SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('mv_ops.run'), mv_ops.run_lock_key(target_run))
  FROM pg_catalog.pg_locks k
  WHERE k.locktype = 'advisory' AND k.pid = pg_catalog.pg_backend_pid() AND k.objsubid = 2
    AND k.classid = pg_catalog.hashtext('mv_ops.run')::oid AND k.objid = mv_ops.run_lock_key(target_run)::oid;
  UPDATE mv_ops.refresh_run r
  SET finished_at = mv_ops.clock(),
      status = CASE WHEN EXISTS (SELECT 1 FROM mv_ops.refresh_log l WHERE l.run_id = r.run_id AND l.status = 'failed')
                    THEN 'failed' ELSE 'succeeded' END
  WHERE r.run_id = target_run
  RETURNING r.status;
$$;
COMMENT ON FUNCTION mv_ops.finish_run(bigint) IS
  'Closes a run: failed when any of its views failed, else succeeded; releases the run lock taken by claim_run.';

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
               -- This session is starting something new, so a run it claimed earlier was left by a call that
               -- failed midway; the run lock it still holds would otherwise keep that run "running".
               WHEN r.backend_pid = pg_catalog.pg_backend_pid() THEN true
               ELSE NOT mv_ops.session_alive(r.backend_pid, r.backend_start, r.run_id)
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
    -- Re-checked after any row lock wait: finish_run releases the run lock just before its commit.
    UPDATE mv_ops.refresh_run r SET status = 'failed', finished_at = mv_ops.clock()
    FROM dead WHERE r.run_id = dead.run_id AND r.status = 'running'
    RETURNING r.run_id
  )
  SELECT count(*) INTO n FROM runs;
  -- Called before a session claims a run, so any run lock it still holds belongs to one just reaped.
  PERFORM pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('mv_ops.run'), k.objid::bigint::int)
  FROM pg_catalog.pg_locks k
  WHERE k.locktype = 'advisory' AND k.pid = pg_catalog.pg_backend_pid() AND k.objsubid = 2 AND k.granted
    AND k.classid = pg_catalog.hashtext('mv_ops.run')::oid;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.reap_abandoned() IS
  'Marks runs whose session died (killed backend, crash: its run lock is gone), or that no session claimed within unclaimed_run_timeout, or that the calling session itself claimed and left unfinished (an earlier call failed midway; its run lock is released), failed: their running attempt "abandoned", the rest skipped. Called before every run is claimed and by the service.';
