-- 0112: a paused keyed aggregate no longer holds the key journal: pausing makes its next refresh full (which needs no
-- journal), pruning stops waiting for it, and resuming starts its journal again from that moment and makes it due.
-- Up Migration

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
      INSERT INTO mv_ops.source_change (source_oid, xid, changed_at)
      SELECT DISTINCT pg_catalog.to_regclass(s)::oid, pg_catalog.pg_current_xact_id(), mv_ops.now()
      FROM mv_ops.managed_view m CROSS JOIN LATERAL unnest(m.declared_sources) s
      WHERE m.view_id = target AND pg_catalog.to_regclass(s) IS NOT NULL
      ON CONFLICT DO NOTHING;
    END IF;
  ELSE
    UPDATE mv_ops.key_progress p SET full_pending = true WHERE p.view_id = target;
  END IF;
END
$$;
COMMENT ON FUNCTION mv_ops.set_enabled(text, boolean) IS
  'Pauses (false) or resumes (true) scheduled refreshes of one managed view. A keyed aggregate''s next refresh after a pause is full, and while it is paused (and not refreshed by hand) the key journal is pruned without waiting for it; resuming it journals a change of its sources, so the next tick refreshes it.';

-- As in 0111, with paused aggregates left out of the wait: see set_enabled.
CREATE OR REPLACE FUNCTION mv_ops.prune_changed_keys(sources text[])
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n bigint;
BEGIN
  -- Most steps find nothing of theirs in the journal (a quiet quarter-hour, or a source other consumers still need).
  IF NOT EXISTS (SELECT FROM mv_ops.changed_key c WHERE c.source = ANY(sources)) THEN
    RETURN 0;
  END IF;
  WITH RECURSIVE read_by(relid, source) AS (
    SELECT pg_catalog.to_regclass(src)::oid, src FROM unnest(sources) src WHERE pg_catalog.to_regclass(src) IS NOT NULL
    UNION
    -- The views and materialized views whose query reads it, and theirs in turn.
    SELECT r.ev_class, rb.source FROM read_by rb
    JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = rb.relid
                               AND d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.deptype = 'n'
    JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid AND r.ev_class <> rb.relid
  ), readers AS MATERIALIZED (
    -- Views that are not keyed and read these tables (materialized views found above, aggregates as declared),
    -- with the oldest snapshot their last successes may not have seen past.
    SELECT rb.source, bool_or(ls.snapshot_xmin IS NULL) AS unrefreshed, min(ls.snapshot_xmin) AS xmin
    FROM mv_ops.managed_view m
    JOIN read_by rb ON rb.relid = mv_ops.view_oid(m) OR (m.kind = 'aggregate' AND rb.source = ANY(m.declared_sources))
    LEFT JOIN LATERAL (SELECT l.snapshot_xmin FROM mv_ops.refresh_log l
                       WHERE l.view_id = m.view_id AND l.status = 'succeeded'
                       ORDER BY l.log_id DESC LIMIT 1) ls ON true
    WHERE NOT m.keyed
    GROUP BY 1
  )
  -- A row can go once every keyed aggregate reading its table has consumed it (one with no progress row, or paused
  -- with its full refresh pending, needs none of them), and every other view reading the table has refreshed past
  -- it (the row is that table's change journal too).
  DELETE FROM mv_ops.changed_key c
  WHERE c.source = ANY(sources)
    AND NOT EXISTS (SELECT 1 FROM mv_ops.managed_view m JOIN mv_ops.key_progress p USING (view_id)
                    WHERE m.keyed AND c.source = ANY(m.declared_sources) AND (m.enabled OR NOT p.full_pending)
                      AND NOT pg_catalog.pg_visible_in_snapshot(c.xid, p.consumed))
    AND NOT EXISTS (SELECT 1 FROM readers r WHERE r.source = c.source AND (r.unrefreshed OR c.xid >= r.xmin));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.prune_changed_keys(text[]) IS
  'Deletes the journaled keys of these tables that every keyed aggregate reading them has consumed (a paused one with its full refresh pending waits for none) and every other managed view reading them has refreshed past.';
