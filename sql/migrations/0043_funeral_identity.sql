-- 0043: who is asking: a login role bound to a platform user (Grafana data sources) or auth.uid() from JWT claims (API gateway).
-- Up Migration
CREATE TABLE IF NOT EXISTS funeral.login_role_binding (
  role_name name PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES funeral.users ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE funeral.login_role_binding IS
  'Binds a database login role (member of funeral_tenant, e.g. one Grafana data source per tenant) to the platform user it acts as. For a bound role, JWT claims are ignored.';
REVOKE ALL ON funeral.login_role_binding FROM PUBLIC;

-- A view, not a function: current_user inside a view is still the querying role, while the tables it reads are
-- checked against the view owner. So each caller resolves only its own identity and needs no access to the tables.
CREATE OR REPLACE VIEW funeral_mv.caller AS
WITH bound AS (
  SELECT b.user_id FROM funeral.login_role_binding b WHERE b.role_name = current_user
), claimed AS (
  -- Claims are settable by any session (SET request.jwt.claims), so they are trusted only for the gateway role.
  SELECT CASE
           WHEN EXISTS (SELECT 1 FROM bound) THEN (SELECT user_id FROM bound)
           WHEN pg_catalog.pg_has_role(current_user, 'funeral_authenticated', 'MEMBER') THEN auth.uid()
         END AS user_id,
         CASE WHEN EXISTS (SELECT 1 FROM bound) THEN 'login_role' ELSE 'jwt' END AS via
)
SELECT u.id AS user_id, u.role AS platform_role, c.via
FROM claimed c JOIN funeral.users u ON u.id = c.user_id;
COMMENT ON VIEW funeral_mv.caller IS 'The platform user the querying role acts as (zero or one row): its login-role binding, else auth.uid() for members of funeral_authenticated.';

CREATE OR REPLACE VIEW funeral_mv.caller_org AS
SELECT ou.organization_id, ou.role AS org_role
FROM funeral_mv.caller c JOIN funeral.organization_users ou ON ou.user_id = c.user_id;
COMMENT ON VIEW funeral_mv.caller_org IS 'Organisations the querying user belongs to, with the organisation role.';

CREATE OR REPLACE VIEW funeral.current_identity AS SELECT * FROM funeral_mv.caller;
COMMENT ON VIEW funeral.current_identity IS 'Who the database thinks you are (user_id, platform_role, via): zero rows means anonymous.';
CREATE OR REPLACE VIEW funeral.my_organizations AS SELECT * FROM funeral_mv.caller_org;
COMMENT ON VIEW funeral.my_organizations IS 'Your organisations and your role in each.';

-- The seed's helper functions, as the caller (SECURITY INVOKER), over the two self-only views above.
CREATE OR REPLACE FUNCTION funeral.get_user_organization_ids()
RETURNS SETOF bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT organization_id FROM funeral.my_organizations $$;
COMMENT ON FUNCTION funeral.get_user_organization_ids() IS 'Ids of the organisations the calling user belongs to (seed 004 helper).';

CREATE OR REPLACE FUNCTION funeral.auth_user_role()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT platform_role FROM funeral.current_identity $$;
COMMENT ON FUNCTION funeral.auth_user_role() IS 'Platform role of the calling user (customer, provider, super_admin), NULL when anonymous (seed 004 helper).';

REVOKE ALL ON funeral.current_identity, funeral.my_organizations FROM PUBLIC;
REVOKE ALL ON FUNCTION funeral.get_user_organization_ids(), funeral.auth_user_role() FROM PUBLIC;
-- Identified callers may ask who they are; each sees only its own row.
GRANT USAGE ON SCHEMA funeral TO funeral_anon, funeral_authenticated, funeral_tenant;
GRANT SELECT ON funeral.current_identity, funeral.my_organizations TO funeral_authenticated, funeral_tenant;
GRANT EXECUTE ON FUNCTION funeral.get_user_organization_ids(), funeral.auth_user_role() TO funeral_authenticated, funeral_tenant;
