-- 0010: the refresh steps, each a SECURITY DEFINER function; the procedure in 0011 commits between them.
-- Up Migration
CREATE OR REPLACE FUNCTION mv_ops.resolve_views(names text[])
RETURNS int[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  requested text;
  ids int[];
  result int[] := '{}';
BEGIN
  -- Only registry names are accepted, compared as strings: nothing the caller sends reaches SQL text.
  FOREACH requested IN ARRAY COALESCE(names, '{}') LOOP
    SELECT array_agg(m.view_id) INTO ids FROM mv_ops.managed_view m
    WHERE mv_ops.qualified_name(m) = requested OR (m.view_name = requested AND position('.' IN requested) = 0);
    IF ids IS NULL THEN
      RAISE EXCEPTION 'unknown view "%": not a managed view', left(requested, 200) USING ERRCODE = '22023',
        HINT = 'See mv_ops.freshness for the views that can be refreshed.';
    ELSIF array_length(ids, 1) > 1 THEN
      RAISE EXCEPTION 'view name "%" is ambiguous: qualify it with its schema', requested USING ERRCODE = '22023';
    END IF;
    result := result || ids;
  END LOOP;
  RETURN result;
END
$$;
COMMENT ON FUNCTION mv_ops.resolve_views(text[]) IS 'Registry ids for view names (schema.view, or a bare name when unique); unknown names are an error.';

CREATE OR REPLACE FUNCTION mv_ops.start_run(views text[], pack text, cascade boolean, trigger text, requested_by text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- Catalog joins are estimated at thousands of rows; JIT would spend seconds compiling for a handful.
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

  -- Asked-for views plus (with cascade) every managed view downstream of them, in topological order.
  INSERT INTO mv_ops.refresh_log (run_id, view_id, view_name, position, trigger, requested_by)
  WITH RECURSIVE wanted(view_id, is_asked) AS (
    SELECT DISTINCT unnest(asked_ids), true
    UNION
    SELECT s.view_id, false FROM wanted w JOIN mv_ops.view_source s ON s.upstream_view_id = w.view_id
    WHERE start_run.cascade
  ), plan AS (
    SELECT w.view_id, bool_or(w.is_asked) AS is_asked FROM wanted w GROUP BY w.view_id
  )
  SELECT new_run, m.view_id, mv_ops.qualified_name(m),
         row_number() OVER (ORDER BY lv.level, mv_ops.qualified_name(m)),
         CASE WHEN p.is_asked THEN start_run.trigger ELSE 'cascade' END, left(requested_by, 200)
  FROM plan p JOIN mv_ops.managed_view m USING (view_id) JOIN mv_ops.view_level lv USING (view_id);
  RETURN new_run;
END
$$;
COMMENT ON FUNCTION mv_ops.start_run(text[], text, boolean, text, text) IS
  'Creates a run and its queued log rows: the asked views (or a pack, or all when both are NULL) plus their dependents, in dependency order.';

CREATE OR REPLACE FUNCTION mv_ops.next_step(target_run bigint)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- Catalog joins are estimated at thousands of rows; JIT would spend seconds compiling for a handful.
SET jit = off
AS $$
DECLARE
  step record;
  blocker text;
BEGIN
  LOOP
    SELECT l.log_id, l.view_id INTO step FROM mv_ops.refresh_log l
    WHERE l.run_id = target_run AND l.status = 'queued' ORDER BY l.position LIMIT 1;
    IF NOT FOUND THEN
      RETURN NULL;
    END IF;
    -- A view whose upstream failed or was skipped in this run would be rebuilt from stale or broken data.
    SELECT u.view_name INTO blocker FROM mv_ops.refresh_log u
    JOIN mv_ops.view_source s ON s.upstream_view_id = u.view_id AND s.view_id = step.view_id
    WHERE u.run_id = target_run AND u.status IN ('failed', 'skipped') AND u.message NOT LIKE 'already being refreshed%'
    LIMIT 1;
    IF blocker IS NULL THEN
      RETURN step.log_id;
    END IF;
    UPDATE mv_ops.refresh_log SET status = 'skipped', started_at = mv_ops.clock(), finished_at = mv_ops.clock(),
           message = format('skipped: upstream %s did not refresh', blocker)
    WHERE log_id = step.log_id;
  END LOOP;
END
$$;
COMMENT ON FUNCTION mv_ops.next_step(bigint) IS 'Next queued attempt of a run, marking skipped those whose upstream failed in the same run.';

CREATE OR REPLACE FUNCTION mv_ops.begin_step(target_log bigint)
RETURNS void
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE mv_ops.refresh_log l
  SET status = 'running', started_at = mv_ops.clock(), backend_pid = pg_backend_pid(),
      backend_start = (SELECT a.backend_start FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_backend_pid())
  WHERE l.log_id = target_log AND l.status = 'queued';
$$;
COMMENT ON FUNCTION mv_ops.begin_step(bigint) IS 'Marks an attempt running (committed before the refresh starts, so a killed backend leaves evidence).';
