-- 0113: making an aggregate keyed keeps it due: changes it had not refreshed past were pruned from the key journal by
-- the other keyed consumers (they count as consumed by its new progress), so nothing said it had to refresh.
-- Up Migration
-- As in 0100, plus a change journaled for its sources (mv_ops.journal_sources_changed, 0112).
CREATE OR REPLACE FUNCTION mv_ops.make_keyed(target regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  m mv_ops.managed_view;
  untracked text;
BEGIN
  SELECT * INTO m FROM mv_ops.managed_view v WHERE mv_ops.view_oid(v) = target;
  IF m.kind IS DISTINCT FROM 'aggregate' THEN
    RAISE EXCEPTION '% is not a registered aggregate', target USING ERRCODE = '42809',
      HINT = 'Register it with mv_ops.register_aggregate() first: a materialized view is always refreshed whole.';
  END IF;
  SELECT string_agg(s, ', ' ORDER BY s) INTO untracked FROM unnest(m.declared_sources) s WHERE NOT mv_ops.key_tracked(s);
  IF untracked IS NOT NULL THEN
    RAISE EXCEPTION 'sources of % have no key journal: %', target, untracked USING ERRCODE = '55000',
      HINT = 'Call mv_ops.track_keys(source, key_column) for each: an incremental refresh must see every change of every source.';
  END IF;
  UPDATE mv_ops.managed_view v SET keyed = true WHERE v.view_id = m.view_id;
  -- From now on the journal keeps what this aggregate has not consumed; its first refresh is full.
  INSERT INTO mv_ops.key_progress (view_id, consumed, consumed_at, full_pending)
  VALUES (m.view_id, pg_catalog.pg_current_snapshot(), mv_ops.clock(), true)
  ON CONFLICT (view_id) DO UPDATE SET full_pending = true;
  -- Due at the next tick: changes it had not refreshed past may be pruned now that it is keyed (its progress counts
  -- them as consumed), so the journal could no longer say so. The full refresh it is then due for takes them all.
  PERFORM mv_ops.journal_sources_changed(m.view_id);
END
$$;
COMMENT ON FUNCTION mv_ops.make_keyed(regclass) IS
  'Makes a registered aggregate keyed: its scheduled and cascaded refreshes are incremental, handed the changed dates of each source (mv_ops.refresh_keys); its next refresh is full, and the next tick makes it due. Refuses unless every declared source is key-tracked.';
