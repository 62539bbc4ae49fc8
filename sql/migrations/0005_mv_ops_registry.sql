-- 0005: the registry of managed materialized views (rows are added by mv_ops.register_view).
-- Up Migration
CREATE TABLE IF NOT EXISTS mv_ops.managed_view (
  view_id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  schema_name name NOT NULL,
  view_name name NOT NULL,
  pack text NOT NULL,
  description text NOT NULL DEFAULT '',
  schedule text NOT NULL,
  full_refresh_schedule text,
  warn_after interval NOT NULL,
  error_after interval NOT NULL,
  date_relative boolean NOT NULL DEFAULT false,
  time_zone text NOT NULL DEFAULT 'UTC',
  enabled boolean NOT NULL DEFAULT true,
  registered_at timestamptz NOT NULL DEFAULT now(),
  last_schedule_check timestamptz,
  UNIQUE (schema_name, view_name),
  CONSTRAINT thresholds_ordered CHECK (warn_after > interval '0' AND error_after >= warn_after)
);
COMMENT ON TABLE mv_ops.managed_view IS 'One row per materialized view matview-ops refreshes and watches. Write through mv_ops.register_view().';
COMMENT ON COLUMN mv_ops.managed_view.pack IS 'Product area the view belongs to (sales, funeral...): refresh and status can be asked per pack.';
COMMENT ON COLUMN mv_ops.managed_view.schedule IS 'Cron expression: when a scheduled run considers the view; it refreshes then if its sources changed, the day turned (date_relative) or it was never populated.';
COMMENT ON COLUMN mv_ops.managed_view.full_refresh_schedule IS 'Cron expression: when the view is refreshed whatever changed (e.g. a monthly full refresh); NULL for never.';
COMMENT ON COLUMN mv_ops.managed_view.warn_after IS 'Lag behind the sources above which the view is "warn" (dbt warn_after).';
COMMENT ON COLUMN mv_ops.managed_view.error_after IS 'Lag behind the sources above which the view is "stale" (dbt error_after).';
COMMENT ON COLUMN mv_ops.managed_view.date_relative IS 'The definition reads the current date (CURRENT_DATE windows): the view is out of date at each day boundary even without source changes.';
COMMENT ON COLUMN mv_ops.managed_view.time_zone IS 'Time zone the schedules and the day boundary are read in.';
COMMENT ON COLUMN mv_ops.managed_view.enabled IS 'false = paused: scheduled runs skip it and its status is "paused"; manual refresh still works.';
COMMENT ON COLUMN mv_ops.managed_view.last_schedule_check IS 'Up to when the schedule has been evaluated by a due-views run.';

CREATE OR REPLACE FUNCTION mv_ops.qualified_name(v mv_ops.managed_view)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT format('%I.%I', v.schema_name, v.view_name) $$;
COMMENT ON FUNCTION mv_ops.qualified_name(mv_ops.managed_view) IS 'schema.view, quoted where needed: the name a managed view is shown and requested by.';

CREATE OR REPLACE FUNCTION mv_ops.view_oid(v mv_ops.managed_view)
RETURNS oid
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT to_regclass(format('%I.%I', v.schema_name, v.view_name))::oid $$;
COMMENT ON FUNCTION mv_ops.view_oid(mv_ops.managed_view) IS 'Current oid of the registered view (names survive a drop and re-create; oids do not), NULL if it is gone.';
