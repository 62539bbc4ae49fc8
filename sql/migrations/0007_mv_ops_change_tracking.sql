-- 0007: statement-level triggers on base tables record which transactions changed them, so unchanged views are not refreshed.
-- Up Migration
CREATE TABLE IF NOT EXISTS mv_ops.source_change (
  source_oid oid NOT NULL,
  xid xid8 NOT NULL,
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (source_oid, xid)
);
COMMENT ON TABLE mv_ops.source_change IS
  'Insert-only journal: one row per (base table, writing transaction). Insert-only so writers never queue on a shared row; a refresh whose snapshot xmin is above xid has seen the change.';
COMMENT ON COLUMN mv_ops.source_change.source_oid IS 'The base table (for a partition, the root of its partition tree).';
COMMENT ON COLUMN mv_ops.source_change.xid IS 'Writing transaction; compared with the snapshot a refresh was taken under.';

CREATE OR REPLACE FUNCTION mv_ops.note_source_change()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO mv_ops.source_change (source_oid, xid, changed_at)
  VALUES (COALESCE(pg_catalog.pg_partition_root(TG_RELID)::oid, TG_RELID), pg_catalog.pg_current_xact_id(), mv_ops.now())
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION mv_ops.note_source_change() IS 'Statement trigger on base tables of managed views: journals the writing transaction.';

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
  -- Partitions get the trigger too: a statement aimed at a partition does not fire the parent's statement triggers.
  FOR rel IN
    SELECT DISTINCT t.relid::regclass
    FROM mv_ops.view_source s
    CROSS JOIN LATERAL (SELECT s.source AS relid
                        UNION SELECT pt.relid FROM pg_catalog.pg_partition_tree(s.source) pt) t
    JOIN pg_catalog.pg_class c ON c.oid = t.relid AND c.relkind IN ('r', 'p')
    WHERE s.view_id = target_view_id AND s.kind = 'table'
  LOOP
    EXECUTE format('CREATE OR REPLACE TRIGGER mv_ops_track_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION mv_ops.note_source_change()', rel);
    n := n + 1;
  END LOOP;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.track_sources(int) IS 'Installs the change-journal trigger on every base table (and partition) of a managed view; returns how many tables it covers. Re-run after adding partitions.';
