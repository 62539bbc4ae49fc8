-- 0091: the overrun watchdog also finds refreshes of other roles when the owner cannot see their backend_start.
-- Up Migration
CREATE OR REPLACE FUNCTION mv_ops.cancel_overrunning()
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n int := 0;
  victim record;
BEGIN
  -- statement_timeout set inside a procedure does not apply to its later statements, so the
  -- per-view limit is enforced from outside: the refresh is cancelled and logs 57014.
  -- An owner without pg_read_all_stats sees backend_start NULL for other roles' sessions; the pid of a
  -- running attempt is then trusted (cancelling needs pg_signal_backend, see the README).
  FOR victim IN
    SELECT l.backend_pid FROM mv_ops.refresh_log l
    JOIN pg_catalog.pg_stat_activity a
      ON a.pid = l.backend_pid AND (a.backend_start IS NULL OR a.backend_start = l.backend_start)
    WHERE l.status = 'running' AND l.started_at < mv_ops.clock() - mv_ops.setting_interval('refresh_timeout')
  LOOP
    IF pg_catalog.pg_cancel_backend(victim.backend_pid) THEN
      n := n + 1;
    END IF;
  END LOOP;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.cancel_overrunning() IS
  'Cancels refreshes running longer than the refresh_timeout setting; they are logged failed with SQLSTATE 57014. A non-superuser owner needs pg_signal_backend to cancel other roles'' sessions.';
