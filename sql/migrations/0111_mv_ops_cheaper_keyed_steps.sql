-- 0111: cheaper keyed refresh steps: an aggregate handed no keys writes nothing without building a temp table, and
-- the per-step prune returns at once when the journal holds nothing of its sources, else keeps its plans for the
-- session (a scheduled run of the sales pack has nine such steps).
-- Up Migration

-- As in 0100. With no keys an incremental refresh has nothing to compute: CREATE TEMP TABLE, ANALYZE and DROP
-- cost about 1.5 ms of catalog work even for no rows, paid every 15 minutes by every view nothing touched.
CREATE OR REPLACE FUNCTION mv_ops.apply_keyed(target regclass, key_column name, rows_of regproc, keys date[], full_refresh boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  written bigint;
BEGIN
  IF NOT full_refresh AND COALESCE(cardinality(keys), 0) = 0 THEN
    -- What apply_rows would have counted: no key recomputed, no row gained.
    PERFORM pg_catalog.set_config('mv_ops.recomputed_keys',
      COALESCE(NULLIF(pg_catalog.current_setting('mv_ops.recomputed_keys', true), ''), '0'), true);
    RETURN 0;
  END IF;
  -- Dropped below (and on commit): a second call in the same transaction starts clean.
  EXECUTE format('CREATE TEMP TABLE mv_ops_fresh ON COMMIT DROP AS SELECT * FROM %s(%L::date[])', rows_of, COALESCE(keys, '{}'));
  -- A fresh temp table has no statistics: without them the comparisons below are planned as if it were large.
  ANALYZE pg_temp.mv_ops_fresh;
  written := mv_ops.apply_rows(target, key_column, 'pg_temp.mv_ops_fresh'::regclass, keys, full_refresh);
  DROP TABLE pg_temp.mv_ops_fresh;
  RETURN written;
END
$$;
COMMENT ON FUNCTION mv_ops.apply_keyed(regclass, name, regproc, date[], boolean) IS
  'mv_ops.apply_rows with the fresh rows computed once by rows_of(keys), a function of date[] returning target''s rows for those keys; an incremental call with no keys returns 0 at once.';

-- As in 0107, in plpgsql: a SQL function's statements are planned again on every call (the recursive catalog walk
-- and the DELETE, about half a millisecond), a plpgsql function's once per session.
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
  -- A row can go once every keyed aggregate reading its table has consumed it (one with no progress row is
  -- refreshed in full next, so it needs none), and every other view reading the table has refreshed past it (the
  -- row is that table's change journal too).
  DELETE FROM mv_ops.changed_key c
  WHERE c.source = ANY(sources)
    AND NOT EXISTS (SELECT 1 FROM mv_ops.managed_view m JOIN mv_ops.key_progress p USING (view_id)
                    WHERE m.keyed AND c.source = ANY(m.declared_sources)
                      AND NOT pg_catalog.pg_visible_in_snapshot(c.xid, p.consumed))
    AND NOT EXISTS (SELECT 1 FROM readers r WHERE r.source = c.source AND (r.unrefreshed OR c.xid >= r.xmin));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.prune_changed_keys(text[]) IS
  'Deletes the journaled keys of these tables that every keyed aggregate reading them has consumed and every other managed view reading them has refreshed past.';
