-- 0073: registering a table-backed aggregate: validates table, routine, declared sources and (with a check every registration shares) schedules; installs change tracking.
-- Up Migration
CREATE OR REPLACE FUNCTION mv_ops.check_schedule(schedule text, full_refresh_schedule text, time_zone text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM mv_ops.cron_parse(schedule);
  IF full_refresh_schedule IS NOT NULL THEN
    PERFORM mv_ops.cron_parse(full_refresh_schedule);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names WHERE name = time_zone) THEN
    RAISE EXCEPTION 'unknown time zone "%"', time_zone USING ERRCODE = '22023', HINT = 'Use an IANA name such as Asia/Bangkok or UTC.';
  END IF;
END
$$;
COMMENT ON FUNCTION mv_ops.check_schedule(text, text, text) IS
  'Refuses a malformed schedule or full-refresh schedule (cron syntax) or an unknown time zone: what every registration checks.';
REVOKE ALL ON FUNCTION mv_ops.check_schedule(text, text, text) FROM PUBLIC;
-- No grant: registration (owner only) calls it.

CREATE OR REPLACE FUNCTION mv_ops.register_aggregate(
  target regclass,
  pack text,
  description text,
  schedule text,
  warn_after interval,
  error_after interval,
  refresh_routine regprocedure,
  sources regclass[],
  date_relative boolean DEFAULT false,
  time_zone text DEFAULT 'UTC',
  full_refresh_schedule text DEFAULT NULL,
  enabled boolean DEFAULT true
)
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- Catalog joins are estimated at thousands of rows; JIT would spend seconds compiling for a handful.
SET jit = off
AS $$
DECLARE
  rel record;
  fn record;
  src regclass;
  src_kind "char";
  new_id int;
  cycle text;
BEGIN
  SELECT c.oid, c.relkind, n.nspname, c.relname INTO rel
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.oid = target;
  IF rel.relkind IS DISTINCT FROM 'r' AND rel.relkind IS DISTINCT FROM 'p' THEN
    RAISE EXCEPTION '% is not a table (relkind %): an aggregate is a table kept by a refresh routine', target, rel.relkind
      USING ERRCODE = '42809',
            HINT = 'Register a materialized view with mv_ops.register_view().';
  END IF;

  IF refresh_routine IS NULL THEN
    RAISE EXCEPTION 'aggregate % needs a refresh routine', target USING ERRCODE = '22023';
  END IF;
  SELECT p.prokind, p.pronargs, p.proallargtypes, p.prorettype, p.prosecdef, p.proowner INTO fn
  FROM pg_catalog.pg_proc p WHERE p.oid = refresh_routine;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'refresh routine % does not exist', refresh_routine::oid USING ERRCODE = '42883';
  END IF;
  IF fn.prokind NOT IN ('f', 'p') OR fn.prorettype IN ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype) THEN
    RAISE EXCEPTION 'refresh routine % is not a plain function or procedure', refresh_routine USING ERRCODE = '42809';
  END IF;
  -- Refreshes run it with the registry owner's rights: a SECURITY INVOKER routine that another role owns
  -- (and so may rewrite) would let that role run code as the owner.
  IF NOT fn.prosecdef AND fn.proowner <> (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
    RAISE EXCEPTION 'refresh routine % is owned by another role', refresh_routine USING ERRCODE = '42501',
      HINT = 'Make the registry owner own it, or make it SECURITY DEFINER so it runs with its own owner''s rights.';
  END IF;
  -- mv_ops calls it as routine() (SELECT for a function, CALL for a procedure), so no parameters at all;
  -- a procedure's OUT parameters would need arguments in CALL too.
  IF fn.pronargs > 0 OR (fn.prokind = 'p' AND fn.proallargtypes IS NOT NULL) THEN
    RAISE EXCEPTION 'refresh routine % takes arguments: mv_ops calls it with none', refresh_routine USING ERRCODE = '42P13',
      HINT = 'Wrap it in a function without parameters; it may read current_setting(''mv_ops.refresh_mode'', true) to choose a full or incremental refresh.';
  END IF;

  IF cardinality(sources) IS NULL OR cardinality(sources) = 0 THEN
    RAISE EXCEPTION 'aggregate % declares no sources', target USING ERRCODE = '22023',
      HINT = 'List the tables its routine reads: the catalog cannot see inside a routine, so change detection relies on this list.';
  END IF;
  FOREACH src IN ARRAY sources LOOP
    IF src IS NULL THEN
      RAISE EXCEPTION 'aggregate % declares a NULL source', target USING ERRCODE = '22004';
    END IF;
    IF src = target THEN
      RAISE EXCEPTION 'aggregate % cannot declare itself as a source', target USING ERRCODE = '22023';
    END IF;
    SELECT c.relkind INTO src_kind FROM pg_catalog.pg_class c WHERE c.oid = src;
    -- Changes to a partition are journaled under its partitioned root, so a leaf would never look changed.
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = src AND c.relispartition) THEN
      RAISE EXCEPTION 'source % of aggregate % is a partition', src, target USING ERRCODE = '42809',
        HINT = 'Declare the partitioned table it belongs to: changes are tracked there.';
    END IF;
    IF src_kind IN ('r', 'p') THEN
      CONTINUE;
    ELSIF src_kind = 'm' AND EXISTS (SELECT 1 FROM mv_ops.managed_view m WHERE mv_ops.view_oid(m) = src) THEN
      CONTINUE;
    END IF;
    RAISE EXCEPTION 'source % of aggregate % is not a table or a managed view (relkind %)', src, target, src_kind
      USING ERRCODE = '42809',
            HINT = 'Declare the tables the routine reads (for a plain view, the tables under it); a materialized view must be registered first.';
  END LOOP;

  PERFORM mv_ops.check_schedule(schedule, full_refresh_schedule, time_zone);

  INSERT INTO mv_ops.managed_view AS m (schema_name, view_name, pack, description, schedule, full_refresh_schedule,
                                        warn_after, error_after, date_relative, time_zone, enabled,
                                        kind, refresh_routine, declared_sources)
  VALUES (rel.nspname, rel.relname, pack, description, schedule, full_refresh_schedule,
          warn_after, error_after, date_relative, time_zone, enabled,
          'aggregate', refresh_routine::text,
          ARRAY(SELECT DISTINCT format('%I.%I', n.nspname, c.relname)
                FROM unnest(sources) s
                JOIN pg_catalog.pg_class c ON c.oid = s
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                ORDER BY 1))
  ON CONFLICT (schema_name, view_name) DO UPDATE
    SET pack = EXCLUDED.pack, description = EXCLUDED.description, schedule = EXCLUDED.schedule,
        full_refresh_schedule = EXCLUDED.full_refresh_schedule, warn_after = EXCLUDED.warn_after,
        error_after = EXCLUDED.error_after, date_relative = EXCLUDED.date_relative,
        time_zone = EXCLUDED.time_zone, enabled = EXCLUDED.enabled,
        refresh_routine = EXCLUDED.refresh_routine, declared_sources = EXCLUDED.declared_sources
    -- A name already registered as a materialized view cannot silently turn into an aggregate.
    WHERE m.kind = 'aggregate'
  RETURNING m.view_id INTO new_id;
  IF new_id IS NULL THEN
    RAISE EXCEPTION '% is already registered as a materialized view', target USING ERRCODE = '42710';
  END IF;

  -- A managed view among the sources that reads this aggregate (directly or further up) would make a cycle.
  WITH RECURSIVE ups(view_id) AS (
    SELECT s.upstream_view_id FROM mv_ops.view_source s WHERE s.view_id = new_id AND s.kind = 'managed_view'
    UNION
    SELECT s.upstream_view_id FROM ups u JOIN mv_ops.view_source s ON s.view_id = u.view_id AND s.kind = 'managed_view'
  )
  SELECT string_agg(DISTINCT mv_ops.qualified_name(m), ', ') INTO cycle
  FROM ups JOIN mv_ops.view_source s ON s.view_id = ups.view_id AND s.upstream_view_id = new_id
  JOIN mv_ops.managed_view m ON m.view_id = ups.view_id;
  IF cycle IS NOT NULL THEN
    RAISE EXCEPTION 'aggregate % would depend on itself through %', target, cycle USING ERRCODE = '42P17';
  END IF;

  PERFORM mv_ops.track_sources(new_id);
  RETURN new_id;
END
$$;
COMMENT ON FUNCTION mv_ops.register_aggregate(regclass, text, text, text, interval, interval, regprocedure, regclass[], boolean, text, text, boolean) IS
  'Adds or updates a managed aggregate: a table (target) kept by refresh_routine, a function or procedure without parameters that mv_ops calls instead of REFRESH MATERIALIZED VIEW, in the refresh''s own transaction (it must not commit) under the same advisory lock, lock_timeout and logging. While it runs, current_setting(''mv_ops.refresh_mode'') is full (asked by a person, never refreshed, or full_refresh_schedule fired) or incremental, and mv_ops.refresh_log_id / mv_ops.refresh_trigger identify the attempt. sources must list every table (or managed view) the routine reads: PostgreSQL records no dependency from a routine''s body, so unlike a materialized view''s these cannot be derived from pg_depend; change tracking, dependency order and freshness use them. Idempotent; refuses non-tables, routines with arguments, undeclared or non-table sources and cycles.';
REVOKE ALL ON FUNCTION mv_ops.register_aggregate(regclass, text, text, text, interval, interval, regprocedure, regclass[], boolean, text, text, boolean) FROM PUBLIC;
-- No grant: registering decides what mv_ops executes as its owner, so only the owner (the migrations) may do it.
