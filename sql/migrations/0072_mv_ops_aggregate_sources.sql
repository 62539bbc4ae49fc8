-- 0072: mv_ops.view_source includes the declared sources of aggregates, and an aggregate read by another view counts as its upstream.
-- Up Migration
CREATE OR REPLACE VIEW mv_ops.view_source AS
WITH RECURSIVE reads(view_id, relid) AS (
  -- Relations the view's rewrite rule references directly...
  SELECT mv.view_id, d.refobjid
  FROM mv_ops.managed_view mv
  JOIN pg_catalog.pg_rewrite r ON r.ev_class = mv_ops.view_oid(mv)
  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
   AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'n' AND d.refobjid <> r.ev_class
  UNION
  -- ...what an aggregate's routine reads, as declared at registration (the catalog cannot see into a routine)...
  SELECT mv.view_id, pg_catalog.to_regclass(src)::oid
  FROM mv_ops.managed_view mv CROSS JOIN LATERAL unnest(mv.declared_sources) src
  WHERE mv.kind = 'aggregate'
  UNION
  -- ...and, through plain views, what those read in turn.
  SELECT w.view_id, d.refobjid
  FROM reads w
  JOIN pg_catalog.pg_class c ON c.oid = w.relid AND c.relkind = 'v'
  JOIN pg_catalog.pg_rewrite r ON r.ev_class = c.oid
  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
   AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'n' AND d.refobjid <> r.ev_class
)
SELECT w.view_id,
       w.relid::regclass AS source,
       CASE
         -- A managed aggregate is a table, but it changes only when it is refreshed: an upstream, not a tracked table.
         WHEN up.view_id IS NOT NULL AND c.relkind IN ('m', 'r', 'p') THEN 'managed_view'
         WHEN c.relkind IN ('r', 'p') THEN 'table'
         WHEN c.relkind = 'm' THEN 'unmanaged_matview'
         WHEN c.relkind = 'f' THEN 'foreign_table'
         ELSE 'other'
       END AS kind,
       up.view_id AS upstream_view_id
FROM reads w
-- A declared source that no longer exists resolves to NULL and is left out (the routine reading it fails instead).
JOIN pg_catalog.pg_class c ON c.oid = w.relid
LEFT JOIN mv_ops.managed_view up ON mv_ops.view_oid(up) = w.relid AND up.view_id <> w.view_id
WHERE c.relkind <> 'v';
COMMENT ON VIEW mv_ops.view_source IS
  'Every relation a managed view reads: for materialized views from the catalog, seen through plain views; for aggregates as declared at registration. Base tables (change-tracked), upstream managed views and aggregates (refreshed first), and sources matview-ops cannot track (unmanaged materialized views, foreign tables).';
