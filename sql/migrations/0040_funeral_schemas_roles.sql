-- 0040: funeral pack (seed 004) schemas, tenant roles, and a Supabase-compatible auth.uid() when none exists.
-- Up Migration
CREATE SCHEMA IF NOT EXISTS funeral;
COMMENT ON SCHEMA funeral IS 'Funeral-service platform pack (seed 004): source tables, and the tenant-facing views (funeral.mv_*) that enforce the seed''s access rules.';
REVOKE ALL ON SCHEMA funeral FROM PUBLIC;

-- Materialized views cannot carry row security, so they live where no tenant role can read them.
CREATE SCHEMA IF NOT EXISTS funeral_mv;
COMMENT ON SCHEMA funeral_mv IS 'Funeral pack storage: the materialized views and the table-backed availability aggregate. Tenant roles have no access; they read funeral.mv_* instead.';
REVOKE ALL ON SCHEMA funeral_mv FROM PUBLIC;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'funeral_anon') THEN
    CREATE ROLE funeral_anon NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'funeral_authenticated') THEN
    CREATE ROLE funeral_authenticated NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'funeral_tenant') THEN
    CREATE ROLE funeral_tenant NOLOGIN;
  END IF;
END
$$;
COMMENT ON ROLE funeral_anon IS 'funeral pack: the public (no identity): reads real-time availability of active, verified organisations and the search index.';
COMMENT ON ROLE funeral_authenticated IS 'funeral pack: the role an API gateway (PostgREST/Supabase) switches to after verifying a JWT; identity is auth.uid() from request.jwt.claims.';
COMMENT ON ROLE funeral_tenant IS 'funeral pack: group for database logins bound to one platform user in funeral.login_role_binding (a Grafana data source per tenant); JWT claims are ignored for them.';

-- Functions in these schemas are executable by PUBLIC by default; grants are given one by one.
ALTER DEFAULT PRIVILEGES IN SCHEMA funeral REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA funeral_mv REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- Supabase provides auth.uid(); elsewhere a minimal one with the same behaviour is created, never replacing theirs.
CREATE SCHEMA IF NOT EXISTS auth;
DO $$
BEGIN
  IF pg_catalog.obj_description('auth'::regnamespace, 'pg_namespace') IS NULL THEN
    COMMENT ON SCHEMA auth IS 'Identity helpers (Supabase''s schema where it exists): auth.uid().';
  END IF;
  IF to_regprocedure('auth.uid()') IS NULL THEN
    CREATE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $f$
      SELECT COALESCE(NULLIF(current_setting('request.jwt.claim.sub', true), ''),
                      NULLIF(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid
    $f$;
    COMMENT ON FUNCTION auth.uid() IS 'Supabase-compatible: the "sub" claim of the verified JWT the gateway put in request.jwt.claims, NULL without one. Created by matview-ops only where no auth.uid() existed.';
    REVOKE ALL ON FUNCTION auth.uid() FROM PUBLIC;
  END IF;
END
$$;
-- The funeral access views call it as the querying role, so the JWT role needs it.
GRANT USAGE ON SCHEMA auth TO funeral_authenticated, funeral_tenant;
GRANT EXECUTE ON FUNCTION auth.uid() TO funeral_authenticated, funeral_tenant;
