-- 0110: registering a materialized view under a name last registered as a keyed aggregate: the row stops being
-- keyed too (it failed the keyed_is_aggregate check with a raw constraint error).
-- Up Migration
-- As in 0094, with keyed reset and the aggregate's key progress dropped.
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
  PERFORM mv_ops.check_schedule(schedule, full_refresh_schedule, time_zone);

  INSERT INTO mv_ops.managed_view AS m (schema_name, view_name, pack, description, schedule, full_refresh_schedule,
                                        warn_after, error_after, date_relative, time_zone, enabled)
  VALUES (rel.nspname, rel.relname, pack, description, schedule, full_refresh_schedule,
          warn_after, error_after, date_relative, time_zone, enabled)
  ON CONFLICT (schema_name, view_name) DO UPDATE
    SET pack = EXCLUDED.pack, description = EXCLUDED.description, schedule = EXCLUDED.schedule,
        full_refresh_schedule = EXCLUDED.full_refresh_schedule, warn_after = EXCLUDED.warn_after,
        error_after = EXCLUDED.error_after, date_relative = EXCLUDED.date_relative,
        time_zone = EXCLUDED.time_zone, enabled = EXCLUDED.enabled,
        -- The object was just checked to be a materialized view: a row left from an aggregate of that name
        -- (its table dropped, a view created in its place) would otherwise keep calling the old routine.
        kind = 'materialized_view', refresh_routine = NULL, declared_sources = NULL, keyed = false
  RETURNING m.view_id INTO new_id;
  -- A materialized view is refreshed whole: the progress of the keyed aggregate it replaces means nothing.
  DELETE FROM mv_ops.key_progress p WHERE p.view_id = new_id;

  PERFORM mv_ops.track_sources(new_id);
  RETURN new_id;
END
$$;
COMMENT ON FUNCTION mv_ops.register_view(regclass, text, text, text, interval, interval, boolean, text, text, boolean) IS
  'Adds or updates a managed view (idempotent, so pack migrations can call it again) and installs change tracking on its base tables; a name last registered as an aggregate (keyed or not) becomes a materialized view again. Refuses anything that is not a materialized view with a unique index on plain columns.';
