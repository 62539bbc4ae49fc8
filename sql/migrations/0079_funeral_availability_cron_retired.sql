-- 0079: the availability aggregate's own pg_cron jobs are removed: mv_ops's run_due schedules it now (one scheduler).
-- Up Migration
DO $$
DECLARE
  job bigint;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
    -- By id, and only those that exist, so that a second run (or a database that never had them) is a no-op.
    FOR job IN EXECUTE $q$
      SELECT j.jobid FROM cron.job j
      WHERE j.jobname IN ('funeral_refresh_realtime_availability', 'funeral_full_refresh_realtime_availability') $q$
    LOOP
      PERFORM cron.unschedule(job);
    END LOOP;
  END IF;
END
$$;
