-- 0056: partition management: next months' partitions, dropping those past retention, change tracking on new partitions, dependent refresh.
-- Up Migration
CREATE TABLE IF NOT EXISTS funeral.pack_setting (
  name text PRIMARY KEY,
  value text NOT NULL,
  description text NOT NULL
);
COMMENT ON TABLE funeral.pack_setting IS 'Funeral pack settings, editable by the owner: UPDATE funeral.pack_setting SET value = ... WHERE name = ...';
REVOKE ALL ON funeral.pack_setting FROM PUBLIC;
INSERT INTO funeral.pack_setting (name, value, description) VALUES
  ('partition_retention', '2 years', 'Monthly partitions of reservations and payments ending this long before the current month are dropped.'),
  ('partition_months_ahead', '1', 'How many months after the current one always have partitions.')
ON CONFLICT (name) DO NOTHING;

CREATE OR REPLACE FUNCTION funeral.drop_old_partitions(older_than interval DEFAULT NULL, as_of date DEFAULT CURRENT_DATE)
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  keep_from date := date_trunc('month', as_of - COALESCE(older_than,
                      (SELECT value::interval FROM funeral.pack_setting WHERE name = 'partition_retention')))::date;
  p record;
  dropped int := 0;
BEGIN
  FOR p IN
    -- Only bookkept partitions still attached to their parent: nothing else can be dropped from here.
    SELECT pm.partition_name, pm.table_name FROM funeral.partition_management pm
    JOIN pg_catalog.pg_inherits i ON i.inhrelid = to_regclass(format('funeral.%I', pm.partition_name))
     AND i.inhparent = to_regclass(format('funeral.%I', pm.table_name))
    WHERE pm.dropped_at IS NULL AND pm.end_date <= keep_from
    ORDER BY pm.start_date
  LOOP
    EXECUTE format('DROP TABLE funeral.%I', p.partition_name);
    UPDATE funeral.partition_management SET dropped_at = now() WHERE partition_name = p.partition_name;
    dropped := dropped + 1;
  END LOOP;
  IF dropped > 0 THEN
    -- DROP fires no trigger: an empty statement on each parent journals the change for mv_ops's change detection.
    DELETE FROM funeral.reservations WHERE false;
    DELETE FROM funeral.payments WHERE false;
  END IF;
  RETURN dropped;
END
$$;
COMMENT ON FUNCTION funeral.drop_old_partitions(interval, date) IS
  'Drops reservations/payments partitions that end before the month as_of - older_than begins (default: setting partition_retention); returns how many. Records the change so dependent views are due.';

CREATE OR REPLACE FUNCTION funeral.manage_partitions(as_of date DEFAULT CURRENT_DATE, OUT created int, OUT dropped int, OUT tracked int)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ahead int := (SELECT value::int FROM funeral.pack_setting WHERE name = 'partition_months_ahead');
BEGIN
  SELECT COALESCE(sum(funeral.create_month_partitions((date_trunc('month', as_of) + m * interval '1 month')::date)), 0)
  INTO created FROM generate_series(0, ahead) m;
  dropped := funeral.drop_old_partitions(NULL, as_of);
  -- New partitions need mv_ops's statement trigger too: writes aimed at a partition do not fire the parent's.
  SELECT COALESCE(sum(mv_ops.track_sources(m.view_id)), 0) INTO tracked FROM mv_ops.managed_view m WHERE m.pack = 'funeral';
END
$$;
COMMENT ON FUNCTION funeral.manage_partitions(date) IS
  'Creates this and the next partition_months_ahead months'' partitions (idempotent), drops those past retention, and re-installs change tracking on every funeral view''s tables and partitions.';

CREATE OR REPLACE FUNCTION funeral.partition_dependent_views()
RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT COALESCE(array_agg(DISTINCT mv_ops.qualified_name(m)), '{}')
  FROM mv_ops.managed_view m JOIN mv_ops.view_source s ON s.view_id = m.view_id
  WHERE m.pack = 'funeral' AND s.source IN ('funeral.reservations'::regclass, 'funeral.payments'::regclass);
$$;
COMMENT ON FUNCTION funeral.partition_dependent_views() IS 'Funeral materialized views that read reservations or payments (from the catalog, through mv_ops.view_source).';

CREATE OR REPLACE PROCEDURE funeral.automate_partition_management_with_mv(INOUT run_id bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
  outcome record;
BEGIN
  -- SECURITY INVOKER without SET so that mv_ops.refresh may commit; the privileged steps are definer functions.
  outcome := funeral.manage_partitions(CURRENT_DATE);
  COMMIT;
  RAISE NOTICE 'funeral partitions: % created, % dropped', outcome.created, outcome.dropped;
  -- New empty partitions change no result; dropped ones do, so only then are the dependents refreshed now.
  IF outcome.dropped > 0 THEN
    CALL mv_ops.refresh(views => funeral.partition_dependent_views(), trigger => 'schedule',
                        requested_by => 'funeral_partition_management', run_id => run_id);
  END IF;
END
$$;
COMMENT ON PROCEDURE funeral.automate_partition_management_with_mv(bigint) IS
  'Seed partition job (pg_cron funeral_partition_management, daily): funeral.manage_partitions(), then, when partitions were dropped, refreshes the views that read reservations or payments. Returns the mv_ops run id or NULL.';

REVOKE ALL ON FUNCTION funeral.drop_old_partitions(interval, date), funeral.manage_partitions(date),
  funeral.partition_dependent_views() FROM PUBLIC;
REVOKE ALL ON PROCEDURE funeral.automate_partition_management_with_mv(bigint) FROM PUBLIC;
