-- 0093: every scheduled tick puts change tracking back on base tables that lack it (re-created, new partitions) and counts them as changed.
-- Up Migration

-- Change tracking was installed only at registration: a base table (or declared source) dropped and created
-- again, or a partition added later, had no trigger, so its changes never made a view due.
CREATE OR REPLACE VIEW mv_ops.tracked_table AS
SELECT DISTINCT s.view_id, t.relid::regclass AS tbl,
       COALESCE(pg_catalog.pg_partition_root(t.relid), t.relid)::oid AS journal_oid
FROM mv_ops.view_source s
-- Partitions get the trigger too: a statement aimed at a partition does not fire the parent's statement triggers.
CROSS JOIN LATERAL (SELECT s.source AS relid
                    UNION SELECT pt.relid FROM pg_catalog.pg_partition_tree(s.source) pt) t
JOIN pg_catalog.pg_class c ON c.oid = t.relid AND c.relkind IN ('r', 'p')
WHERE s.kind = 'table';
COMMENT ON VIEW mv_ops.tracked_table IS
  'Every table (and partition) whose changes make a managed view due, with the oid its changes are journaled under (a partition''s root).';
REVOKE ALL ON mv_ops.tracked_table FROM PUBLIC;

CREATE OR REPLACE FUNCTION mv_ops.install_tracking(tbl regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  EXECUTE format('CREATE OR REPLACE TRIGGER mv_ops_track_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
                 'FOR EACH STATEMENT EXECUTE FUNCTION mv_ops.note_source_change()', tbl);
END
$$;
COMMENT ON FUNCTION mv_ops.install_tracking(regclass) IS 'Puts the change-journal statement trigger (mv_ops_track_changes) on one table.';
REVOKE ALL ON FUNCTION mv_ops.install_tracking(regclass) FROM PUBLIC;
-- No grant: registration and the tick call it from definer code, as the owner.

CREATE OR REPLACE FUNCTION mv_ops.track_sources(target_view_id int)
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- Catalog joins are estimated at thousands of rows; JIT would spend seconds compiling for a handful.
SET jit = off
AS $$
DECLARE
  rel regclass;
  n int := 0;
BEGIN
  FOR rel IN SELECT DISTINCT t.tbl FROM mv_ops.tracked_table t WHERE t.view_id = target_view_id LOOP
    PERFORM mv_ops.install_tracking(rel);
    n := n + 1;
  END LOOP;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.track_sources(int) IS 'Installs the change-journal trigger on every base table (and partition) of a managed view; returns how many tables it covers.';

CREATE OR REPLACE FUNCTION mv_ops.heal_tracking()
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
-- A table busy with a long write must not hold up the tick: it is tried again at the next one.
SET lock_timeout = '2s'
AS $$
DECLARE
  t record;
  n int := 0;
BEGIN
  FOR t IN
    SELECT DISTINCT tt.tbl, tt.journal_oid FROM mv_ops.tracked_table tt
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                      WHERE g.tgrelid = tt.tbl AND g.tgname = 'mv_ops_track_changes' AND NOT g.tgisinternal)
  LOOP
    BEGIN
      PERFORM mv_ops.install_tracking(t.tbl);
      -- What it went through untracked is unknown, so its views are refreshed once as if it had changed.
      INSERT INTO mv_ops.source_change (source_oid, xid, changed_at)
      VALUES (t.journal_oid, pg_catalog.pg_current_xact_id(), mv_ops.now())
      ON CONFLICT DO NOTHING;
      n := n + 1;
    EXCEPTION WHEN OTHERS THEN
      -- Busy (lock_timeout) or not ours to alter: the tick goes on, and the next one tries again.
      RAISE WARNING 'mv_ops: change tracking for % not installed (%); trying again at the next tick', t.tbl, SQLERRM;
    END;
  END LOOP;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.heal_tracking() IS
  'Installs change tracking on base tables of managed views that lack it (created again after a drop, partitions added later) and journals a change for each, since what happened while untracked is unknown. Called by every scheduled tick; returns how many it fixed.';
REVOKE ALL ON FUNCTION mv_ops.heal_tracking() FROM PUBLIC;
-- No grant: it runs inside mv_ops.claim_due, as the owner.

CREATE OR REPLACE FUNCTION mv_ops.claim_due(target_pack text DEFAULT NULL)
RETURNS text[]
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  at timestamptz := mv_ops.now();
  names text[];
BEGIN
  -- Serialise overlapping ticks: the second one finds the schedule already evaluated.
  PERFORM pg_advisory_xact_lock(hashtext('mv_ops.claim_due'));
  PERFORM mv_ops.heal_tracking();
  SELECT COALESCE(array_agg(mv_ops.qualified_name(m) ORDER BY m.view_id), '{}') INTO names
  FROM mv_ops.view_state_at(at) s JOIN mv_ops.managed_view m USING (view_id)
  WHERE s.due AND (target_pack IS NULL OR m.pack = target_pack);
  UPDATE mv_ops.managed_view m SET last_schedule_check = at
  WHERE (target_pack IS NULL OR m.pack = target_pack) AND m.enabled
    AND (m.last_schedule_check IS NULL OR m.last_schedule_check < at);
  RETURN names;
END
$$;
COMMENT ON FUNCTION mv_ops.claim_due(text) IS
  'Names of the views a scheduled run should refresh now, and advances their schedule check to now; first puts change tracking back where it is missing.';
