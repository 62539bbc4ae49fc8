-- 0012: CALL mv_ops.refresh(...): the entry point for manual, API and scheduled refreshes, one transaction per view.
-- Up Migration
ALTER TABLE mv_ops.refresh_run ADD COLUMN IF NOT EXISTS backend_pid int;
ALTER TABLE mv_ops.refresh_run ADD COLUMN IF NOT EXISTS backend_start timestamptz;
COMMENT ON COLUMN mv_ops.refresh_run.backend_pid IS 'Session executing the run; with backend_start, lets a later run see that it died.';

CREATE OR REPLACE FUNCTION mv_ops.claim_run(target_run bigint)
RETURNS void
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE mv_ops.refresh_run r
  SET backend_pid = pg_backend_pid(),
      backend_start = (SELECT a.backend_start FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_backend_pid())
  WHERE r.run_id = target_run;
$$;
COMMENT ON FUNCTION mv_ops.claim_run(bigint) IS 'Records which session executes a run.';

CREATE OR REPLACE FUNCTION mv_ops.reap_abandoned()
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n int;
BEGIN
  WITH dead AS (
    SELECT r.run_id FROM mv_ops.refresh_run r
    WHERE r.status = 'running' AND r.backend_pid IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                      WHERE a.pid = r.backend_pid AND a.backend_start IS NOT DISTINCT FROM r.backend_start)
  ), running AS (
    UPDATE mv_ops.refresh_log l
    SET status = 'failed', finished_at = mv_ops.clock(),
        message = format('abandoned: the session (pid %s) running this refresh ended before it finished', l.backend_pid)
    FROM dead WHERE l.run_id = dead.run_id AND l.status = 'running'
    RETURNING l.run_id
  ), queued AS (
    UPDATE mv_ops.refresh_log l
    SET status = 'skipped', finished_at = mv_ops.clock(), message = 'skipped: the run was abandoned'
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
COMMENT ON FUNCTION mv_ops.reap_abandoned() IS 'Marks runs whose session died (killed backend, crash) failed, their running attempt "abandoned" and the rest skipped. Called by every run and the status.';

CREATE OR REPLACE PROCEDURE mv_ops.refresh(
  views text[] DEFAULT NULL,
  pack text DEFAULT NULL,
  cascade boolean DEFAULT true,
  trigger text DEFAULT 'manual',
  requested_by text DEFAULT NULL,
  INOUT run_id bigint DEFAULT NULL
)
LANGUAGE plpgsql
AS $$
DECLARE
  step bigint;
BEGIN
  -- Deliberately SECURITY INVOKER without SET: PostgreSQL forbids COMMIT in procedures that have either.
  -- All privileged work is in the mv_ops.* definer functions it calls, which pin their search_path.
  PERFORM mv_ops.reap_abandoned();
  run_id := mv_ops.start_run(views, pack, cascade, trigger, COALESCE(requested_by, session_user::text));
  PERFORM mv_ops.claim_run(run_id);
  COMMIT;
  LOOP
    step := mv_ops.next_step(run_id);
    EXIT WHEN step IS NULL;
    PERFORM mv_ops.begin_step(step);
    COMMIT;
    PERFORM mv_ops.refresh_step(step);
    COMMIT;
  END LOOP;
  PERFORM mv_ops.finish_run(run_id);
  COMMIT;
END
$$;
COMMENT ON PROCEDURE mv_ops.refresh(text[], text, boolean, text, text, bigint) IS
  'Refreshes the named views (or a pack, or every managed view), plus their dependents when cascade, each in its own transaction. A view already being refreshed elsewhere is logged skipped ("already being refreshed by run N") instead of waiting. Must be CALLed outside a transaction block. Returns the run id.';
