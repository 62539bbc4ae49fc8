-- 0121: two fixed costs of a refresh run, which a 15-minute batch pays whatever it changed (sales pack, scale 100:
-- ~10 of its ~190 ms):
-- - mv_ops.unjournaled_keys compares each recent row's xmin with the snapshot through age(), not by widening it to
--   64 bits (two text conversions per row, for the ~6,000 rows of today and yesterday, three times a run);
-- - mv_ops.start_run walks the dependency graph (mv_ops.view_source, a walk of the catalog) once, not once for the
--   views downstream and again for their levels.
-- Same results as before.
-- Up Migration

CREATE OR REPLACE FUNCTION mv_ops.unjournaled_keys(source oid, seen pg_snapshot)
RETURNS date[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '200ms'
AS $_$
DECLARE
  cd record;
  since timestamptz;
  keys date[];
BEGIN
  SELECT c.key_column, c.time_zone INTO cd FROM mv_ops.current_day_source c WHERE c.tbl = source;
  IF NOT FOUND THEN
    RETURN '{}';
  END IF;
  since := mv_ops.xid_assigned_after(pg_catalog.pg_snapshot_xmin(seen));
  -- Never refreshed, or no mark that old: what is unseen is unknown. So it is when seen is so old (two billion
  -- transactions, a view paused for ages in a busy cluster) that the 32-bit comparison below could wrap.
  IF since IS NULL
     OR pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::bigint
        - pg_catalog.pg_snapshot_xmin(seen)::text::bigint >= 2000000000 THEN
    RETURN NULL;
  END IF;
  -- A row that was not journaled is dated the day its writer inserted it, after it got its id: on or after since's
  -- day (a day earlier, in case the clock was set back). Its xmin may be a subtransaction's id, above its top-level
  -- one, which is what a snapshot lists: so not "invisible in seen" but "at or above seen's oldest running writer",
  -- which may take rows seen already saw (a transaction held open across a refresh makes such rows due again).
  -- age() counts back from an id fixed for the transaction (its own), so "age at most that of seen's xmin" is "at
  -- or above it" while both lie within 2^31 ids of that one, as the check above makes sure of seen's. A row older
  -- still may wrap to a negative age and be taken: a key too many at worst, never one too few.
  BEGIN
    EXECUTE format('SELECT COALESCE(pg_catalog.array_agg(DISTINCT t.%1$I ORDER BY t.%1$I), ''{}'') FROM %2$s t
                    WHERE t.%1$I >= $1 AND pg_catalog.age(t.xmin) <= pg_catalog.age(pg_catalog.xid($2))',
                   cd.key_column, source::regclass)
      INTO keys USING (since AT TIME ZONE cd.time_zone)::date - 1, pg_catalog.pg_snapshot_xmin(seen);
  EXCEPTION WHEN lock_not_available THEN
    RETURN NULL;
  END;
  RETURN keys;
END
$_$;

-- Its only caller compares ids through age() now.
DROP FUNCTION mv_ops.full_xid(xid, bigint);

CREATE OR REPLACE FUNCTION mv_ops.start_run(views text[], pack text, cascade boolean, trigger text, requested_by text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
  asked_ids int[];
  new_run bigint;
BEGIN
  IF trigger IS NULL OR trigger NOT IN ('schedule', 'manual', 'api') THEN
    RAISE EXCEPTION 'invalid trigger "%": use schedule, manual or api', trigger USING ERRCODE = '22023';
  END IF;
  IF pack IS NOT NULL AND NOT EXISTS (SELECT 1 FROM mv_ops.managed_view m WHERE m.pack = start_run.pack) THEN
    RAISE EXCEPTION 'unknown pack "%"', left(pack, 200) USING ERRCODE = '22023';
  END IF;
  asked_ids := mv_ops.resolve_views(views)
        || ARRAY(SELECT m.view_id FROM mv_ops.managed_view m
                 WHERE m.pack = start_run.pack OR (views IS NULL AND start_run.pack IS NULL));
  INSERT INTO mv_ops.refresh_run (trigger, requested_by, requested, cascade)
  VALUES (trigger, left(requested_by, 200),
          COALESCE(views, CASE WHEN pack IS NULL THEN ARRAY['*'] ELSE ARRAY['pack:' || pack] END), cascade)
  RETURNING run_id INTO new_run;

  -- Asked-for views plus (with cascade) every managed view downstream of them, in topological order: the order of
  -- mv_ops.view_level, computed here from the same edges, which are walked out of the catalog once for both.
  INSERT INTO mv_ops.refresh_log (run_id, view_id, view_name, position, trigger, requested_by)
  WITH RECURSIVE edges AS MATERIALIZED (
    SELECT s.view_id, s.upstream_view_id FROM mv_ops.view_source s WHERE s.upstream_view_id IS NOT NULL
  ), wanted(view_id, is_asked) AS (
    SELECT DISTINCT unnest(asked_ids), true
    UNION
    SELECT e.view_id, false FROM wanted w JOIN edges e ON e.upstream_view_id = w.view_id
    WHERE start_run.cascade
  ), plan AS (
    SELECT w.view_id, bool_or(w.is_asked) AS is_asked FROM wanted w GROUP BY w.view_id
  ), chain(view_id, level) AS (
    SELECT mv.view_id, 0 FROM mv_ops.managed_view mv
    UNION ALL
    SELECT e.view_id, c.level + 1 FROM chain c JOIN edges e ON e.upstream_view_id = c.view_id
  ), lv AS (
    SELECT c.view_id, max(c.level) AS level FROM chain c GROUP BY c.view_id
  )
  SELECT new_run, m.view_id, mv_ops.qualified_name(m),
         row_number() OVER (ORDER BY lv.level, mv_ops.qualified_name(m)),
         CASE WHEN p.is_asked THEN start_run.trigger ELSE 'cascade' END, left(requested_by, 200)
  FROM plan p JOIN mv_ops.managed_view m USING (view_id) JOIN lv USING (view_id);
  RETURN new_run;
END
$$;
