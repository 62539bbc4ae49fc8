-- 0031: sales pack emergency rebuild that really rebuilds: drop and re-create every sales view from its catalog definition, then refresh.
-- Up Migration
CREATE OR REPLACE FUNCTION pos.rebuild_views()
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v record;
  saved jsonb := '[]';
  item jsonb;
  stmt text;
BEGIN
  -- Capture everything needed to re-create each view: definition, indexes, comment, owner, grants.
  FOR v IN
    SELECT m.schema_name, m.view_name, lv.level, c.oid, c.relacl, pg_get_userbyid(c.relowner) AS owner
    FROM mv_ops.managed_view m JOIN mv_ops.view_level lv USING (view_id)
    JOIN pg_catalog.pg_class c ON c.oid = mv_ops.view_oid(m)
    WHERE m.pack = 'sales' ORDER BY lv.level, m.view_name
  LOOP
    saved := saved || jsonb_build_object(
      'schema', v.schema_name, 'name', v.view_name, 'owner', v.owner,
      'definition', rtrim(pg_get_viewdef(v.oid, true), ';'),
      'comment', obj_description(v.oid, 'pg_class'),
      'indexes', (SELECT jsonb_agg(pg_get_indexdef(i.indexrelid) ORDER BY i.indexrelid) FROM pg_catalog.pg_index i WHERE i.indrelid = v.oid),
      'grants', (SELECT jsonb_agg(format('GRANT %s ON %I.%I TO %s', a.privilege_type, v.schema_name, v.view_name,
                                         CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END))
                 FROM aclexplode(v.relacl) a WHERE a.grantee <> v.oid::int AND pg_get_userbyid(a.grantee) <> v.owner));
  END LOOP;
  -- Dependents first; no CASCADE, so an object outside the pack that depends on a view stops the rebuild instead of vanishing.
  FOR item IN SELECT value FROM jsonb_array_elements(saved) WITH ORDINALITY e(value, n) ORDER BY n DESC LOOP
    EXECUTE format('DROP MATERIALIZED VIEW %I.%I', item->>'schema', item->>'name');
  END LOOP;
  FOR item IN SELECT value FROM jsonb_array_elements(saved) WITH ORDINALITY e(value, n) ORDER BY n LOOP
    EXECUTE format('CREATE MATERIALIZED VIEW %I.%I AS %s WITH NO DATA', item->>'schema', item->>'name', item->>'definition');
    EXECUTE format('ALTER MATERIALIZED VIEW %I.%I OWNER TO %I', item->>'schema', item->>'name', item->>'owner');
    FOR stmt IN SELECT jsonb_array_elements_text(COALESCE(item->'indexes', '[]') || COALESCE(item->'grants', '[]')) LOOP
      EXECUTE stmt;
    END LOOP;
    EXECUTE format('COMMENT ON MATERIALIZED VIEW %I.%I IS %L', item->>'schema', item->>'name', item->>'comment');
  END LOOP;
  RETURN jsonb_array_length(saved);
END
$$;
COMMENT ON FUNCTION pos.rebuild_views() IS 'Drops and re-creates every sales view (WITH NO DATA) from its own definition, indexes, comment, owner and grants, in one transaction: all or nothing.';

CREATE OR REPLACE PROCEDURE pos.emergency_rebuild_mv(INOUT result json DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
  started timestamptz := clock_timestamp();
  rebuilt int;
  run bigint;
  outcome text;
BEGIN
  rebuilt := pos.rebuild_views();
  COMMIT;
  CALL mv_ops.refresh(pack => 'sales', trigger => 'manual', requested_by => 'emergency_rebuild', run_id => run);
  SELECT r.status INTO outcome FROM mv_ops.refresh_run r WHERE r.run_id = run;
  result := json_build_object('success', outcome = 'succeeded', 'operation', 'emergency_rebuild', 'views_rebuilt', rebuilt,
                              'duration_ms', round(extract(epoch FROM clock_timestamp() - started)::numeric * 1000, 1),
                              'timestamp', clock_timestamp(), 'run_id', run);
END
$$;
COMMENT ON PROCEDURE pos.emergency_rebuild_mv(json) IS 'The seed''s emergency rebuild, done: re-creates all sales views from their definitions, then repopulates them through mv_ops. Returns the seed''s JSON plus views_rebuilt and run_id.';
