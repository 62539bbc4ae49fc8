-- 0077: the seed's refresh procedures treat the availability aggregate like any funeral view: through mv_ops, logged, one run.
-- Up Migration
CREATE OR REPLACE PROCEDURE funeral.refresh_materialized_view(view_name text, INOUT run_id bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
BEGIN
  -- SECURITY INVOKER and no SET clause, like mv_ops.refresh: PostgreSQL forbids COMMIT otherwise. Everything is qualified.
  -- resolve_view maps seed names (mv_realtime_availability too) to registry names; nothing else is accepted.
  CALL mv_ops.refresh(views => ARRAY[funeral.resolve_view(view_name)], trigger => 'manual',
                      requested_by => session_user::text, run_id => run_id);
END
$$;
COMMENT ON PROCEDURE funeral.refresh_materialized_view(text, bigint) IS
  'Seed refresh_materialized_view(view_name) as a procedure: CALL funeral.refresh_materialized_view(''mv_search_index''). Registry names only; refreshes through mv_ops (logged, plus dependents) and returns its run id. mv_realtime_availability is an mv_ops aggregate: asked by a person, it is recomputed in full.';

CREATE OR REPLACE PROCEDURE funeral.refresh_all_materialized_views(INOUT run_id bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE NOTICE 'Refreshing the funeral materialized views...';
  -- The engine orders by dependency, one transaction per view: the six materialized views (plain the first
  -- time, CONCURRENTLY afterwards) and the availability aggregate (a full recompute, since a person asked).
  CALL mv_ops.refresh(pack => 'funeral', trigger => 'manual', requested_by => session_user::text, run_id => run_id);
  RAISE NOTICE 'Funeral views refreshed in run %: see funeral.materialized_view_refresh_logs', run_id;
END
$$;
COMMENT ON PROCEDURE funeral.refresh_all_materialized_views(bigint) IS
  'Seed refresh_all_materialized_views() as a procedure: CALL funeral.refresh_all_materialized_views(). Refreshes the whole funeral pack in one mv_ops run (the six materialized views and the availability aggregate, recomputed in full); returns the run id.';
