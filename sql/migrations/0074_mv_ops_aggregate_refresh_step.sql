-- 0074: the refresh step calls an aggregate's registered routine where a materialized view gets REFRESH, with the same lock, timeout and log.
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
  mode text;
  routine_kind "char";
  routine regprocedure;
  routine_definer boolean;
  routine_owner oid;
  err_state text;
  err_message text;
BEGIN
  SELECT l.log_id, l.view_id, l.trigger, m.schema_name, m.view_name, m.kind, m.refresh_routine,
         m.full_refresh_schedule, m.time_zone INTO step
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
  IF step.kind = 'aggregate' THEN
    -- What the routine is asked for: a person asking, a first refresh or the full-refresh schedule mean full.
    SELECT CASE
             WHEN step.trigger IN ('manual', 'api') OR ls.started_at IS NULL THEN 'full'
             WHEN step.full_refresh_schedule IS NOT NULL
                  AND mv_ops.cron_fired(step.full_refresh_schedule, step.time_zone, ls.started_at, mv_ops.clock()) THEN 'full'
             ELSE 'incremental'
           END INTO mode
    FROM (SELECT max(l.started_at) AS started_at FROM mv_ops.refresh_log l
          WHERE l.view_id = step.view_id AND l.status = 'succeeded') ls;
    -- Readers of a table are never blocked by its refresh, so "concurrently" does not apply.
    UPDATE mv_ops.refresh_log SET refreshed_concurrently = NULL, snapshot_xmin = pg_snapshot_xmin(pg_current_snapshot())
    WHERE log_id = target_log;
  ELSE
    SELECT c.relispopulated INTO populated FROM pg_catalog.pg_class c
    WHERE c.oid = to_regclass(format('%I.%I', step.schema_name, step.view_name));
    UPDATE mv_ops.refresh_log SET refreshed_concurrently = COALESCE(populated, false),
           snapshot_xmin = pg_snapshot_xmin(pg_current_snapshot())
    WHERE log_id = target_log;
  END IF;
  BEGIN
    PERFORM set_config('lock_timeout', (extract(epoch FROM mv_ops.setting_interval('lock_timeout')) * 1000)::bigint::text, true);
    -- CURRENT_DATE and timestamptz-to-date casts in the view follow its registered time zone, the one its
    -- day boundary is judged in, whoever refreshes it (pg_cron, the service and psql sessions differ).
    PERFORM set_config('TimeZone', step.time_zone, true);
    IF step.kind = 'aggregate' THEN
      SELECT p.oid, p.prokind, p.prosecdef, p.proowner INTO routine, routine_kind, routine_definer, routine_owner
      FROM pg_catalog.pg_proc p WHERE p.oid = pg_catalog.to_regprocedure(step.refresh_routine);
      IF routine IS NULL THEN
        RAISE EXCEPTION 'refresh routine % of %.% no longer exists: register the aggregate again',
          step.refresh_routine, step.schema_name, step.view_name USING ERRCODE = '42883';
      END IF;
      -- Checked again at every call, not only at registration: the routine is found by name, and whoever may
      -- drop it (its schema's owner) could put an invoker routine of their own there to run as the registry owner.
      IF NOT routine_definer AND routine_owner <> (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
        RAISE EXCEPTION 'refresh routine % of %.% is now owned by another role and is not SECURITY DEFINER: not run',
          step.refresh_routine, step.schema_name, step.view_name USING ERRCODE = '42501';
      END IF;
      PERFORM set_config('mv_ops.refresh_mode', mode, true);
      PERFORM set_config('mv_ops.refresh_log_id', target_log::text, true);
      PERFORM set_config('mv_ops.refresh_trigger', step.trigger, true);
      -- The routine is the one named at registration, resolved again here; its regprocedure text is name() (no arguments).
      EXECUTE format(CASE WHEN routine_kind = 'p' THEN 'CALL %s' ELSE 'SELECT %s' END, routine);
      PERFORM set_config('mv_ops.refresh_mode', '', true);
      PERFORM set_config('mv_ops.refresh_log_id', '', true);
      PERFORM set_config('mv_ops.refresh_trigger', '', true);
    ELSE
      -- CONCURRENTLY keeps the view readable, but PostgreSQL refuses it before the first population.
      EXECUTE format('REFRESH MATERIALIZED VIEW %s %I.%I',
                     CASE WHEN populated THEN 'CONCURRENTLY' ELSE '' END, step.schema_name, step.view_name);
    END IF;
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
  'Refreshes the view of one running attempt under its advisory lock, in the view''s registered time zone, and records the outcome; a failure rolls back only this view. A materialized view: REFRESH, plain when never populated, else CONCURRENTLY. An aggregate: its registered routine, resolved by name and refused unless SECURITY DEFINER or owned by the registry owner, called with mv_ops.refresh_mode (full | incremental), mv_ops.refresh_log_id and mv_ops.refresh_trigger set for the transaction; rows_after is the table''s row count.';
