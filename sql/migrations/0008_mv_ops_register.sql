-- 0008: registering a view: refuses what cannot be refreshed concurrently, validates schedules, installs change tracking.
-- Up Migration
CREATE OR REPLACE FUNCTION mv_ops.register_view(
  target regclass,
  pack text,
  description text,
  schedule text,
  warn_after interval,
  error_after interval,
  date_relative boolean DEFAULT false,
  full_refresh_schedule text DEFAULT NULL,
  time_zone text DEFAULT 'UTC',
  enabled boolean DEFAULT true
)
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  rel record;
  new_id int;
BEGIN
  SELECT c.oid, c.relkind, n.nspname, c.relname INTO rel
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.oid = target;
  IF rel.relkind <> 'm' THEN
    RAISE EXCEPTION '% is not a materialized view (relkind %): only materialized views can be managed', target, rel.relkind
      USING ERRCODE = '42809';
  END IF;
  -- REFRESH ... CONCURRENTLY needs a unique index on plain columns without a WHERE clause.
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                 WHERE i.indrelid = target AND i.indisunique AND i.indisvalid
                   AND i.indpred IS NULL AND i.indexprs IS NULL) THEN
    RAISE EXCEPTION '% has no unique index on plain columns, so it cannot be refreshed concurrently', target
      USING ERRCODE = '55000',
            HINT = format('Add one over the view''s key columns, e.g. CREATE UNIQUE INDEX ON %s (<key columns>); no expressions, no WHERE clause.', target);
  END IF;
  PERFORM mv_ops.cron_parse(schedule);
  IF full_refresh_schedule IS NOT NULL THEN
    PERFORM mv_ops.cron_parse(full_refresh_schedule);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names WHERE name = time_zone) THEN
    RAISE EXCEPTION 'unknown time zone "%"', time_zone USING ERRCODE = '22023', HINT = 'Use an IANA name such as Asia/Bangkok or UTC.';
  END IF;

  INSERT INTO mv_ops.managed_view AS m (schema_name, view_name, pack, description, schedule, full_refresh_schedule,
                                        warn_after, error_after, date_relative, time_zone, enabled)
  VALUES (rel.nspname, rel.relname, pack, description, schedule, full_refresh_schedule,
          warn_after, error_after, date_relative, time_zone, enabled)
  ON CONFLICT (schema_name, view_name) DO UPDATE
    SET pack = EXCLUDED.pack, description = EXCLUDED.description, schedule = EXCLUDED.schedule,
        full_refresh_schedule = EXCLUDED.full_refresh_schedule, warn_after = EXCLUDED.warn_after,
        error_after = EXCLUDED.error_after, date_relative = EXCLUDED.date_relative,
        time_zone = EXCLUDED.time_zone, enabled = EXCLUDED.enabled
  RETURNING m.view_id INTO new_id;

  PERFORM mv_ops.track_sources(new_id);
  RETURN new_id;
END
$$;
COMMENT ON FUNCTION mv_ops.register_view(regclass, text, text, text, interval, interval, boolean, text, text, boolean) IS
  'Adds or updates a managed view (idempotent, so pack migrations can call it again) and installs change tracking on its base tables. Refuses anything that is not a materialized view with a unique index on plain columns.';

CREATE OR REPLACE FUNCTION mv_ops.set_enabled(view_name text, enabled boolean)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  UPDATE mv_ops.managed_view m SET enabled = set_enabled.enabled
  WHERE mv_ops.qualified_name(m) = set_enabled.view_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown view "%": not a managed view', view_name USING ERRCODE = '22023';
  END IF;
END
$$;
COMMENT ON FUNCTION mv_ops.set_enabled(text, boolean) IS 'Pauses (false) or resumes (true) scheduled refreshes of one managed view.';
