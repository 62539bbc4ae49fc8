-- 0091: the overrun watchdog recognises a running refresh by the advisory lock it holds, visible without pg_read_all_stats.
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
  -- Liveness from the locks the refreshing session holds (pg_locks is visible to every role, unlike
  -- backend_start): a pid reused by an unrelated session is never cancelled.
  FOR victim IN
    SELECT l.backend_pid FROM mv_ops.refresh_log l
    WHERE l.status = 'running' AND l.started_at < mv_ops.clock() - mv_ops.setting_interval('refresh_timeout')
      AND mv_ops.session_alive(l.backend_pid, l.backend_start, l.run_id, l.view_id)
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
