-- 0006: what each managed view reads, derived from pg_depend/pg_rewrite: base tables and upstream managed views.
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
         WHEN c.relkind IN ('r', 'p') THEN 'table'
         WHEN c.relkind = 'm' AND up.view_id IS NOT NULL THEN 'managed_view'
         WHEN c.relkind = 'm' THEN 'unmanaged_matview'
         WHEN c.relkind = 'f' THEN 'foreign_table'
         ELSE 'other'
       END AS kind,
       up.view_id AS upstream_view_id
FROM reads w
JOIN pg_catalog.pg_class c ON c.oid = w.relid
LEFT JOIN mv_ops.managed_view up ON mv_ops.view_oid(up) = w.relid
WHERE c.relkind <> 'v';
COMMENT ON VIEW mv_ops.view_source IS
  'Every relation a managed view reads, seen through plain views: base tables (change-tracked), upstream managed views (refreshed first), and sources matview-ops cannot track (unmanaged materialized views, foreign tables).';

CREATE OR REPLACE VIEW mv_ops.view_level AS
WITH RECURSIVE chain(view_id, level) AS (
  SELECT mv.view_id, 0 FROM mv_ops.managed_view mv
  UNION ALL
  SELECT s.view_id, c.level + 1
  FROM chain c JOIN mv_ops.view_source s ON s.upstream_view_id = c.view_id
)
SELECT view_id, max(level) AS level FROM chain GROUP BY view_id;
COMMENT ON VIEW mv_ops.view_level IS 'Longest chain of upstream managed views under each view: refreshing in ascending level is a topological order.';
