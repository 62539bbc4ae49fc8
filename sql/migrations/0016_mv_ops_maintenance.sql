-- 0016: housekeeping the scheduler runs: log retention, change-journal compaction, job history cleanup, overrun watchdog.
-- Up Migration
CREATE OR REPLACE FUNCTION mv_ops.prune_log()
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  cutoff timestamptz := mv_ops.now() - mv_ops.setting_interval('log_retention');
  n int;
BEGIN
  -- Runs go as a whole, except a run holding some view's latest success: freshness is computed from it.
  DELETE FROM mv_ops.refresh_run r
  WHERE r.status <> 'running' AND r.created_at < cutoff
    AND NOT EXISTS (SELECT 1 FROM mv_ops.refresh_log l
                    WHERE l.run_id = r.run_id AND l.status = 'succeeded'
                      AND l.log_id = (SELECT max(x.log_id) FROM mv_ops.refresh_log x
                                      WHERE x.view_id = l.view_id AND x.status = 'succeeded'));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.prune_log() IS 'Deletes refresh runs older than the log_retention setting, keeping those that hold a view''s latest success. Returns runs deleted.';

CREATE OR REPLACE FUNCTION mv_ops.prune_source_changes()
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- Catalog joins are estimated at thousands of rows; JIT would spend seconds compiling for a handful.
SET jit = off
AS $$
DECLARE
  n int;
BEGIN
  -- A journal row is no longer needed once every view reading that table refreshed from a snapshot that saw it.
  DELETE FROM mv_ops.source_change sc
  WHERE NOT EXISTS (
    SELECT 1 FROM mv_ops.view_source s
    LEFT JOIN LATERAL (SELECT l.snapshot_xmin FROM mv_ops.refresh_log l
                       WHERE l.view_id = s.view_id AND l.status = 'succeeded'
                       ORDER BY l.log_id DESC LIMIT 1) ls ON true
    WHERE s.source::oid = sc.source_oid AND s.kind = 'table'
      AND (ls.snapshot_xmin IS NULL OR sc.xid >= ls.snapshot_xmin));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.prune_source_changes() IS 'Compacts the change journal: removes changes every dependent view has already refreshed past.';

CREATE OR REPLACE FUNCTION mv_ops.prune_cron_history()
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n int := 0;
BEGIN
  IF to_regclass('cron.job_run_details') IS NOT NULL THEN
    EXECUTE 'DELETE FROM cron.job_run_details WHERE end_time < $1'
      USING mv_ops.now() - mv_ops.setting_interval('cron_history_retention');
    GET DIAGNOSTICS n = ROW_COUNT;
  END IF;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.prune_cron_history() IS 'pg_cron keeps every job run forever; this deletes cron.job_run_details rows older than cron_history_retention.';

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
  FOR victim IN
    SELECT l.backend_pid FROM mv_ops.refresh_log l
    JOIN pg_catalog.pg_stat_activity a ON a.pid = l.backend_pid AND a.backend_start IS NOT DISTINCT FROM l.backend_start
    WHERE l.status = 'running' AND l.started_at < mv_ops.clock() - mv_ops.setting_interval('refresh_timeout')
  LOOP
    IF pg_cancel_backend(victim.backend_pid) THEN
      n := n + 1;
    END IF;
  END LOOP;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.cancel_overrunning() IS 'Cancels refreshes running longer than the refresh_timeout setting; they are logged failed with SQLSTATE 57014.';
