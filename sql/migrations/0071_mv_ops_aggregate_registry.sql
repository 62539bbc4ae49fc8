-- 0071: the registry can also hold table-backed aggregates: a table kept by a refresh routine, with declared sources.
-- Up Migration
ALTER TABLE mv_ops.managed_view ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'materialized_view';
ALTER TABLE mv_ops.managed_view ADD COLUMN IF NOT EXISTS refresh_routine text;
ALTER TABLE mv_ops.managed_view ADD COLUMN IF NOT EXISTS declared_sources text[];
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                 WHERE conrelid = 'mv_ops.managed_view'::regclass AND conname = 'kind_shape') THEN
    ALTER TABLE mv_ops.managed_view ADD CONSTRAINT kind_shape CHECK (
      (kind = 'materialized_view' AND refresh_routine IS NULL AND declared_sources IS NULL)
      OR (kind = 'aggregate' AND refresh_routine IS NOT NULL AND cardinality(declared_sources) > 0));
  END IF;
END
$$;
COMMENT ON CONSTRAINT kind_shape ON mv_ops.managed_view IS
  'A materialized view has no routine and no declared sources (the catalog knows them); an aggregate has both.';
COMMENT ON COLUMN mv_ops.managed_view.kind IS
  'materialized_view (refreshed with REFRESH MATERIALIZED VIEW; sources from pg_depend) or aggregate (a table kept by refresh_routine; sources declared). Written by mv_ops.register_view / mv_ops.register_aggregate.';
COMMENT ON COLUMN mv_ops.managed_view.refresh_routine IS
  'Aggregates only: the function or procedure (no arguments) a refresh calls instead of REFRESH MATERIALIZED VIEW. Stored as its regprocedure text (schema-qualified signature; a reg* column would block pg_upgrade), resolved with to_regprocedure at each refresh, never taken from a caller.';
COMMENT ON COLUMN mv_ops.managed_view.declared_sources IS
  'Aggregates only: the tables and managed views the routine reads, as declared at registration (pg_depend cannot see inside a routine), stored as schema-qualified names and resolved with to_regclass, so a source dropped and created again is still found (oids would lose it); used for change tracking, dependency order and freshness.';
