-- 0117: the engine's fixed cost per refresh step, which a 15-minute batch pays nine times over (sales pack):
-- - the journal is pruned once per run (mv_ops.finish_run), not after every keyed step (refresh_step, as 0114
--   defines it, no longer prunes);
-- - begin_step and key_tracked are plpgsql, whose plans a session keeps (a SQL function is planned on every
--   call), and begin_step reads this backend's start from pg_stat_get_activity(pid), not every backend's row;
-- - a cron field that is * or a single number is answered without a regular expression or a sort, and without
--   the SET clause's save and restore of the search_path five times per parse (every step and every tick parse).
-- Up Migration

-- No SET clause: it is called five times per parse, and that clause costs more than the rest for a field of *
-- or a number. IMMUTABLE and invoker's rights; every call it makes is to pg_catalog.
CREATE OR REPLACE FUNCTION mv_ops.cron_field(field text, lo int, hi int, label text)
RETURNS int[]
LANGUAGE plpgsql IMMUTABLE
AS $_$
DECLARE
  item text;
  m text[];
  a int; b int; step int;
  result int[] := '{}';
BEGIN
  -- Most fields of real schedules: every value, or one.
  IF field = '*' THEN
    RETURN ARRAY(SELECT pg_catalog.generate_series(lo, hi));
  ELSIF field ~ '^\d{1,2}$' AND field::int BETWEEN lo AND hi THEN
    RETURN ARRAY[field::int];
  END IF;
  FOREACH item IN ARRAY string_to_array(field, ',') LOOP
    m := regexp_match(item, '^(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?$');
    IF m IS NULL THEN
      RAISE EXCEPTION 'invalid % field "%" in cron schedule', label, field USING ERRCODE = '22023',
        HINT = 'Use *, a number, a range a-b, a list a,b or a step */n.';
    END IF;
    IF m[1] = '*' THEN a := lo; b := hi;
    ELSE a := m[2]::int; b := COALESCE(m[3]::int, CASE WHEN m[4] IS NOT NULL THEN hi ELSE a END);
    END IF;
    step := COALESCE(m[4]::int, 1);
    IF a < lo OR b > hi OR a > b OR step < 1 THEN
      RAISE EXCEPTION 'invalid % field "%" in cron schedule: values must lie in %-%', label, field, lo, hi USING ERRCODE = '22023';
    END IF;
    result := result || ARRAY(SELECT generate_series(a, b, step));
  END LOOP;
  RETURN ARRAY(SELECT DISTINCT v FROM unnest(result) v ORDER BY v);
END
$_$;
COMMENT ON FUNCTION mv_ops.cron_field(text, int, int, text) IS
  'Values allowed by one cron field (*, n, a-b, lists, /steps), or an error naming the field. * and a single number take a short path.';

CREATE OR REPLACE FUNCTION mv_ops.begin_step(target_log bigint)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  UPDATE mv_ops.refresh_log l
  SET status = 'running', started_at = mv_ops.clock(), backend_pid = pg_catalog.pg_backend_pid(),
      backend_start = (SELECT a.backend_start FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) a)
  WHERE l.log_id = target_log AND l.status = 'queued';
END
$$;
COMMENT ON FUNCTION mv_ops.begin_step(bigint) IS
  'Marks an attempt running (committed before the refresh starts, so a killed backend leaves evidence).';

CREATE OR REPLACE FUNCTION mv_ops.key_tracked(source text)
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN (SELECT count(*) = 4 FROM pg_catalog.pg_trigger g
          WHERE g.tgrelid = pg_catalog.to_regclass(source) AND g.tgname LIKE 'mv\_ops\_track\_keys\_%' AND NOT g.tgisinternal);
END
$$;
COMMENT ON FUNCTION mv_ops.key_tracked(text) IS 'Whether a table has all four key-journal triggers of mv_ops.track_keys.';

CREATE OR REPLACE FUNCTION mv_ops.finish_run(target_run bigint)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  sources text[];
  outcome text;
BEGIN
  -- The journal rows the run's keyed aggregates consumed: once per run rather than after each of its steps.
  SELECT array_agg(DISTINCT s) INTO sources
  FROM mv_ops.refresh_log l JOIN mv_ops.managed_view m USING (view_id) CROSS JOIN LATERAL unnest(m.declared_sources) s
  WHERE l.run_id = target_run AND l.status = 'succeeded' AND m.keyed;
  -- Best effort: a prune that fails (a lock, a deadlock with a writer) must not fail a run whose views succeeded;
  -- the next run or the nightly prune takes the rows.
  IF sources IS NOT NULL THEN
    BEGIN
      PERFORM mv_ops.prune_changed_keys(sources);
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'mv_ops: pruning the key journal after run % failed (%); the next run prunes it', target_run, SQLERRM;
    END;
  END IF;
  -- Unlock only when held, so a run finished by another session raises no warning.
  PERFORM pg_catalog.pg_advisory_unlock(pg_catalog.hashtext('mv_ops.run'), mv_ops.run_lock_key(target_run))
  FROM pg_catalog.pg_locks k
  WHERE k.locktype = 'advisory' AND k.pid = pg_catalog.pg_backend_pid() AND k.objsubid = 2
    AND k.classid = pg_catalog.hashtext('mv_ops.run')::oid AND k.objid = mv_ops.run_lock_key(target_run)::oid;
  UPDATE mv_ops.refresh_run r
  SET finished_at = mv_ops.clock(),
      status = CASE WHEN EXISTS (SELECT 1 FROM mv_ops.refresh_log l WHERE l.run_id = r.run_id AND l.status = 'failed')
                    THEN 'failed' ELSE 'succeeded' END
  WHERE r.run_id = target_run
  RETURNING r.status INTO outcome;
  RETURN outcome;
END
$$;
COMMENT ON FUNCTION mv_ops.finish_run(bigint) IS
  'Closes a run: failed when any of its views failed, else succeeded; prunes the key journal rows its keyed aggregates consumed (mv_ops.prune_changed_keys); releases the run lock taken by claim_run.';
