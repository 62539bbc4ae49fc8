-- 0112: a paused keyed aggregate no longer holds the key journal: pausing makes its next refresh full (which needs no
-- journal, so mv_ops.prune_changed_keys stops waiting for it), and resuming starts its journal again from that
-- moment and makes it due.
-- Up Migration

-- A keyed aggregate whose progress was just set back (resumed, or made keyed) has to be refreshed although the key
-- journal may no longer hold what it missed: a change journaled for each of its declared sources makes it due.
CREATE OR REPLACE FUNCTION mv_ops.journal_sources_changed(target_view_id int)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
  INSERT INTO mv_ops.source_change (source_oid, xid, changed_at)
  SELECT DISTINCT pg_catalog.to_regclass(s)::oid, pg_catalog.pg_current_xact_id(), mv_ops.now()
  FROM mv_ops.managed_view m CROSS JOIN LATERAL unnest(m.declared_sources) s
  WHERE m.view_id = target_view_id AND pg_catalog.to_regclass(s) IS NOT NULL
  ON CONFLICT DO NOTHING
$$;
COMMENT ON FUNCTION mv_ops.journal_sources_changed(int) IS
  'Journals a change (mv_ops.source_change) of every declared source of an aggregate, so the next tick finds it due.';
REVOKE ALL ON FUNCTION mv_ops.journal_sources_changed(int) FROM PUBLIC;
-- No grant: set_enabled and make_keyed call it as the owner.

-- As in 0008, plus the key progress of a keyed aggregate. Before, a paused aggregate's progress kept every journal
-- row written since (about one per POS write) until it was resumed.
CREATE OR REPLACE FUNCTION mv_ops.set_enabled(view_name text, enabled boolean)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  target int;
BEGIN
  UPDATE mv_ops.managed_view m SET enabled = set_enabled.enabled
  WHERE mv_ops.qualified_name(m) = set_enabled.view_name
  RETURNING m.view_id INTO target;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown view "%": not a managed view', view_name USING ERRCODE = '22023';
  END IF;
  IF set_enabled.enabled THEN
    -- Resumed: what the journal holds from now on is kept for it (as make_keyed does); its first refresh is full,
    -- so what was pruned while it was paused is not needed.
    UPDATE mv_ops.key_progress p
    SET consumed = pg_catalog.pg_current_snapshot(), consumed_at = mv_ops.clock(), full_pending = true
    WHERE p.view_id = target AND p.full_pending;
    IF FOUND THEN
      -- Due at the next tick: the journal rows of what it missed may have been pruned, so they cannot say so.
      PERFORM mv_ops.journal_sources_changed(target);
    END IF;
  ELSE
    UPDATE mv_ops.key_progress p SET full_pending = true WHERE p.view_id = target;
  END IF;
END
$$;
COMMENT ON FUNCTION mv_ops.set_enabled(text, boolean) IS
  'Pauses (false) or resumes (true) scheduled refreshes of one managed view. A keyed aggregate''s next refresh after a pause is full, and while it is paused (and not refreshed by hand) the key journal is pruned without waiting for it; resuming it journals a change of its sources, so the next tick refreshes it.';
