-- 0001: the extensions matview-ops builds on: PostGIS (required), pg_cron and pg_stat_statements (used when the server preloads them).
-- Up Migration
CREATE EXTENSION IF NOT EXISTS postgis;

DO $$
DECLARE
  preload text[] := pg_catalog.string_to_array(pg_catalog.replace(pg_catalog.current_setting('shared_preload_libraries'), ' ', ''), ',');
BEGIN
  -- pg_cron can only be created in the database named by cron.database_name and only when preloaded;
  -- anywhere else the product still installs and the status reports that there is no scheduler.
  IF 'pg_cron' = ANY (preload)
     AND pg_catalog.current_setting('cron.database_name', true) = pg_catalog.current_database()
     AND EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'pg_cron') THEN
    CREATE EXTENSION IF NOT EXISTS pg_cron;
  ELSE
    RAISE NOTICE 'pg_cron is not available in database %: scheduled refreshes need an external tick (CALL mv_ops.run_due())', pg_catalog.current_database();
  END IF;

  -- Query statistics for the usage report; optional because it too must be preloaded.
  IF 'pg_stat_statements' = ANY (preload)
     AND EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'pg_stat_statements') THEN
    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
  END IF;
END
$$;
