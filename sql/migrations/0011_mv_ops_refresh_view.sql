-- 0011: one view's refresh: advisory lock, plain or CONCURRENTLY, outcome and SQLSTATE recorded.
-- Up Migration
CREATE OR REPLACE FUNCTION mv_ops.refresh_step(target_log bigint)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  step record;
  populated boolean;
  holder bigint;
  n bigint;
  err_state text;
  err_message text;
BEGIN
  SELECT l.log_id, l.view_id, m.schema_name, m.view_name INTO step
  FROM mv_ops.refresh_log l JOIN mv_ops.managed_view m USING (view_id)
  WHERE l.log_id = target_log AND l.status = 'running';
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  -- One refresh per view at a time: a second request does not wait and does not refresh twice.
  IF NOT pg_try_advisory_xact_lock(hashtext('mv_ops.refresh'), step.view_id) THEN
    SELECT o.run_id INTO holder FROM mv_ops.refresh_log o
    WHERE o.view_id = step.view_id AND o.status = 'running' AND o.log_id <> target_log ORDER BY o.log_id LIMIT 1;
    UPDATE mv_ops.refresh_log SET status = 'skipped', finished_at = mv_ops.clock(),
           message = format('already being refreshed by run %s', COALESCE(holder::text, '(unknown)'))
    WHERE log_id = target_log;
    RETURN 'skipped';
  END IF;
  SELECT c.relispopulated INTO populated FROM pg_catalog.pg_class c
  WHERE c.oid = to_regclass(format('%I.%I', step.schema_name, step.view_name));
  UPDATE mv_ops.refresh_log SET refreshed_concurrently = COALESCE(populated, false),
         snapshot_xmin = pg_snapshot_xmin(pg_current_snapshot())
  WHERE log_id = target_log;
  BEGIN
    PERFORM set_config('lock_timeout', (extract(epoch FROM mv_ops.setting_interval('lock_timeout')) * 1000)::bigint::text, true);
    -- CONCURRENTLY keeps the view readable, but PostgreSQL refuses it before the first population.
    EXECUTE format('REFRESH MATERIALIZED VIEW %s %I.%I',
                   CASE WHEN populated THEN 'CONCURRENTLY' ELSE '' END, step.schema_name, step.view_name);
    EXECUTE format('SELECT count(*) FROM %I.%I', step.schema_name, step.view_name) INTO n;
    UPDATE mv_ops.refresh_log SET status = 'succeeded', finished_at = mv_ops.clock(), rows_after = n
    WHERE log_id = target_log;
    RETURN 'succeeded';
  EXCEPTION
    -- query_canceled is not part of OTHERS; the watchdog's cancel must be recorded too.
    WHEN query_canceled OR OTHERS THEN
      GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT;
      UPDATE mv_ops.refresh_log SET status = 'failed', finished_at = mv_ops.clock(),
             sqlstate = err_state, message = left(err_message, 2000)
      WHERE log_id = target_log;
      RETURN 'failed';
  END;
END
$$;
COMMENT ON FUNCTION mv_ops.refresh_step(bigint) IS
  'Refreshes the view of one running attempt under its advisory lock (plain when never populated, else CONCURRENTLY) and records the outcome; a failure rolls back only this view.';

CREATE OR REPLACE FUNCTION mv_ops.finish_run(target_run bigint)
RETURNS text
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE mv_ops.refresh_run r
  SET finished_at = mv_ops.clock(),
      status = CASE WHEN EXISTS (SELECT 1 FROM mv_ops.refresh_log l WHERE l.run_id = r.run_id AND l.status = 'failed')
                    THEN 'failed' ELSE 'succeeded' END
  WHERE r.run_id = target_run
  RETURNING r.status;
$$;
COMMENT ON FUNCTION mv_ops.finish_run(bigint) IS 'Closes a run: failed when any of its views failed, else succeeded.';
