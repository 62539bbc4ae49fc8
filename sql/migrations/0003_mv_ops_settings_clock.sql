-- 0003: engine settings (timeouts, retention) and the clock every time-based decision reads.
-- Up Migration
CREATE TABLE IF NOT EXISTS mv_ops.setting (
  name text PRIMARY KEY,
  value text NOT NULL,
  description text NOT NULL
);
COMMENT ON TABLE mv_ops.setting IS 'Engine settings, editable by the owner: UPDATE mv_ops.setting SET value = ... WHERE name = ...';
COMMENT ON COLUMN mv_ops.setting.value IS 'Text form; read through mv_ops.setting_interval() for durations.';

INSERT INTO mv_ops.setting (name, value, description) VALUES
  ('refresh_timeout', '30 minutes', 'A refresh running longer is cancelled by the watchdog and logged failed (SQLSTATE 57014).'),
  ('lock_timeout', '1 minute', 'Longest wait for the lock REFRESH needs on a view before the attempt fails.'),
  ('log_retention', '90 days', 'Refresh log rows older than this are pruned (the latest success of each view is always kept).'),
  ('cron_history_retention', '7 days', 'cron.job_run_details rows older than this are deleted.')
ON CONFLICT (name) DO NOTHING;

CREATE OR REPLACE FUNCTION mv_ops.setting_interval(setting_name text)
RETURNS interval
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT value::interval FROM mv_ops.setting WHERE name = setting_name $$;
COMMENT ON FUNCTION mv_ops.setting_interval(text) IS 'A duration setting from mv_ops.setting.';

CREATE OR REPLACE FUNCTION mv_ops.clock_offset()
RETURNS interval
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT COALESCE(NULLIF(current_setting('mv_ops.clock_offset', true), '')::interval, interval '0') $$;
COMMENT ON FUNCTION mv_ops.clock_offset() IS
  'How far the session moves the engine''s clock (SET mv_ops.clock_offset = ''1 day''): lets tests cross schedules, day boundaries and freshness thresholds without waiting. An offset, not a fixed time, so durations stay real.';

CREATE OR REPLACE FUNCTION mv_ops.now()
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT now() + mv_ops.clock_offset() $$;
COMMENT ON FUNCTION mv_ops.now() IS 'The engine''s "now" for decisions (transaction start, plus the session''s clock offset).';

CREATE OR REPLACE FUNCTION mv_ops.clock()
RETURNS timestamptz
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT clock_timestamp() + mv_ops.clock_offset() $$;
COMMENT ON FUNCTION mv_ops.clock() IS 'The engine''s wall clock for log timestamps (clock_timestamp plus the session''s clock offset).';
