-- 0095: mv_ops.unregister_view: stop managing a view or aggregate (dropped or retired), keep its history, remove tracking nothing else needs.
-- Up Migration
CREATE OR REPLACE FUNCTION mv_ops.unregister_view(view_name text)
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
  target mv_ops.managed_view;
  readers text;
  t regclass;
  untracked int := 0;
BEGIN
  SELECT * INTO target FROM mv_ops.managed_view m WHERE mv_ops.qualified_name(m) = unregister_view.view_name FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown view "%": not a managed view', view_name USING ERRCODE = '22023';
  END IF;
  -- A managed view reading it would lose its upstream without noticing: those go first.
  SELECT string_agg(DISTINCT mv_ops.qualified_name(m), ', ') INTO readers
  FROM mv_ops.view_source s JOIN mv_ops.managed_view m ON m.view_id = s.view_id
  WHERE s.upstream_view_id = target.view_id;
  IF readers IS NOT NULL THEN
    RAISE EXCEPTION 'managed views read %: %', view_name, readers USING ERRCODE = '2BP01',
      HINT = 'Unregister those first.';
  END IF;
  IF EXISTS (SELECT 1 FROM mv_ops.refresh_log l WHERE l.view_id = target.view_id AND l.status IN ('queued', 'running')) THEN
    RAISE EXCEPTION '% is being refreshed: try again when the run has finished', view_name USING ERRCODE = '55006';
  END IF;
  -- The log keeps its rows (view_id becomes NULL, view_name stays): history outlives the registration.
  DELETE FROM mv_ops.managed_view m WHERE m.view_id = target.view_id;
  -- Every tracking trigger no managed view needs now goes, not only this view's: a view dropped before
  -- being unregistered no longer shows which tables it read. (A re-created one is tracked again by the tick.)
  FOR t IN
    SELECT g.tgrelid::regclass FROM pg_catalog.pg_trigger g
    WHERE g.tgname = 'mv_ops_track_changes' AND NOT g.tgisinternal
      AND g.tgfoid = 'mv_ops.note_source_change()'::regprocedure
      AND NOT EXISTS (SELECT 1 FROM mv_ops.tracked_table tt WHERE tt.tbl = g.tgrelid)
  LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS mv_ops_track_changes ON %s', t);
    untracked := untracked + 1;
  END LOOP;
  RETURN untracked;
END
$$;
COMMENT ON FUNCTION mv_ops.unregister_view(text) IS
  'Stops managing a view or aggregate (by its registry name, e.g. after dropping it): refused while managed views read it or it is being refreshed. Its refresh log stays; change tracking is removed from every table no managed view needs any more. Returns how many tables it stopped tracking. The view itself is not dropped.';
REVOKE ALL ON FUNCTION mv_ops.unregister_view(text) FROM PUBLIC;
-- No grant: like registering, deciding what mv_ops manages is the owner's (the migrations').
