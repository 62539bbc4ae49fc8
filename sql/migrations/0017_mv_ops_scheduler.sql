-- 0017: named pg_cron jobs (when pg_cron is in this database) and the scheduler status the service and dashboards read.
-- Up Migration
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
    -- cron.schedule with a job name updates that job, so re-running this block is harmless.
    PERFORM cron.schedule('mv_ops_run_due', '* * * * *', 'CALL mv_ops.run_due()');
    PERFORM cron.schedule('mv_ops_watchdog', '* * * * *', 'SELECT mv_ops.cancel_overrunning()');
    PERFORM cron.schedule('mv_ops_prune_log', '17 3 * * *', 'SELECT mv_ops.prune_log(); SELECT mv_ops.prune_source_changes()');
    PERFORM cron.schedule('mv_ops_prune_cron_history', '23 3 * * *', 'SELECT mv_ops.prune_cron_history()');
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION mv_ops.scheduler_status()
RETURNS TABLE (scheduler text, job_name text, schedule text, command text, active boolean, last_run_at timestamptz, last_run_status text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
    RETURN QUERY SELECT 'none'::text, NULL::text, NULL::text,
      'pg_cron is not installed in this database: run CALL mv_ops.run_due() every minute from outside (the refresh service can)'::text,
      false, NULL::timestamptz, NULL::text;
    RETURN;
  END IF;
  RETURN QUERY EXECUTE $q$
    SELECT 'pg_cron'::text, j.jobname::text, j.schedule::text, j.command::text, j.active, d.start_time, d.status::text
    FROM cron.job j
    LEFT JOIN LATERAL (SELECT r.start_time, r.status FROM cron.job_run_details r
                       WHERE r.jobid = j.jobid ORDER BY r.runid DESC LIMIT 1) d ON true
    WHERE j.jobname LIKE 'mv\_ops\_%' ORDER BY j.jobname $q$;
END
$$;
COMMENT ON FUNCTION mv_ops.scheduler_status() IS 'Which scheduler runs mv_ops (pg_cron or none) and, with pg_cron, each job and its last run.';
