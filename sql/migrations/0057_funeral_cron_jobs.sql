-- 0057: the funeral pack's pg_cron jobs (when pg_cron is in this database); the materialized views' cadences are in mv_ops's registry.
-- Up Migration
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
    -- cron.schedule with a job name updates that job, so re-running this block is harmless.
    PERFORM cron.schedule('funeral_refresh_realtime_availability', '*/15 * * * *',
                          'SELECT funeral.refresh_realtime_availability_incremental()');
    PERFORM cron.schedule('funeral_full_refresh_realtime_availability', '0 3 * * 0',
                          'SELECT funeral.refresh_realtime_availability(true, CURRENT_DATE, ''scheduler'')');
    PERFORM cron.schedule('funeral_partition_management', '30 0 * * *', 'CALL funeral.automate_partition_management_with_mv()');
  ELSE
    RAISE NOTICE 'pg_cron is not available in database %: run SELECT funeral.refresh_realtime_availability_incremental() every 15 minutes and CALL funeral.automate_partition_management_with_mv() daily from outside', pg_catalog.current_database();
  END IF;
END
$$;
