-- 0053: the seed's refresh entry points, as procedures built on mv_ops.refresh (which commits, so no function can call it).
-- Up Migration
CREATE OR REPLACE FUNCTION funeral.resolve_view(requested text)
RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  bare text := CASE WHEN requested ~ '^(funeral|funeral_mv)\.' THEN split_part(requested, '.', 2) ELSE requested END;
  found text;
BEGIN
  -- Compared as strings with the registry: nothing the caller sends becomes SQL (seed defect 8).
  IF bare = 'mv_realtime_availability' THEN
    RETURN 'funeral_mv.realtime_availability';
  END IF;
  SELECT mv_ops.qualified_name(m) INTO found FROM mv_ops.managed_view m
  WHERE m.pack = 'funeral' AND m.view_name = bare;
  IF found IS NULL THEN
    RAISE EXCEPTION 'unknown view "%": not a funeral materialized view', left(requested, 200) USING ERRCODE = '22023',
      HINT = 'Use one of the seed''s names, e.g. mv_search_index; SELECT matviewname FROM funeral.mv_monitoring lists them.';
  END IF;
  RETURN found;
END
$$;
COMMENT ON FUNCTION funeral.resolve_view(text) IS 'Registry name (funeral_mv.mv_...) for a seed view name, bare or schema-qualified; unknown names are an error.';

CREATE OR REPLACE PROCEDURE funeral.refresh_materialized_view(view_name text, INOUT run_id bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
  target text;
BEGIN
  -- SECURITY INVOKER and no SET clause, like mv_ops.refresh: PostgreSQL forbids COMMIT otherwise. Everything is qualified.
  target := funeral.resolve_view(view_name);
  IF target = 'funeral_mv.realtime_availability' THEN
    PERFORM funeral.refresh_realtime_availability(true, CURRENT_DATE, session_user::text);
    RETURN;
  END IF;
  CALL mv_ops.refresh(views => ARRAY[target], trigger => 'manual', requested_by => session_user::text, run_id => run_id);
END
$$;
COMMENT ON PROCEDURE funeral.refresh_materialized_view(text, bigint) IS
  'Seed refresh_materialized_view(view_name) as a procedure: CALL funeral.refresh_materialized_view(''mv_search_index''). Registry names only; refreshes through mv_ops (logged, plus dependents) and returns its run id; mv_realtime_availability gets a full recompute of its table (run_id NULL).';

CREATE OR REPLACE PROCEDURE funeral.refresh_all_materialized_views(INOUT run_id bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE NOTICE 'Refreshing the funeral materialized views...';
  PERFORM funeral.refresh_realtime_availability(true, CURRENT_DATE, session_user::text);
  COMMIT;
  -- The engine orders by dependency, one transaction per view, plain the first time and CONCURRENTLY afterwards.
  CALL mv_ops.refresh(pack => 'funeral', trigger => 'manual', requested_by => session_user::text, run_id => run_id);
  RAISE NOTICE 'Funeral views refreshed in run %: see funeral.materialized_view_refresh_logs', run_id;
END
$$;
COMMENT ON PROCEDURE funeral.refresh_all_materialized_views(bigint) IS
  'Seed refresh_all_materialized_views() as a procedure: CALL funeral.refresh_all_materialized_views(). Recomputes the availability table in full, then every funeral materialized view through mv_ops; returns the mv_ops run id.';

REVOKE ALL ON FUNCTION funeral.resolve_view(text) FROM PUBLIC;
REVOKE ALL ON PROCEDURE funeral.refresh_materialized_view(text, bigint), funeral.refresh_all_materialized_views(bigint) FROM PUBLIC;
-- Refreshing is the operator's right, as in mv_ops (the procedures call mv_ops.refresh, granted to the same role).
GRANT USAGE ON SCHEMA funeral TO mv_ops_operator;
GRANT EXECUTE ON FUNCTION funeral.resolve_view(text) TO mv_ops_operator;
GRANT EXECUTE ON PROCEDURE funeral.refresh_materialized_view(text, bigint), funeral.refresh_all_materialized_views(bigint) TO mv_ops_operator;
