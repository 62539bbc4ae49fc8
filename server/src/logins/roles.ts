// Creating or updating one LOGIN role (a member of one reader role, or of mv_ops_operator for the refresh service) and
// its funeral.login_role_binding.
// Each function reports what it changed as short phrases, so the command can say what it did.
import { escapeIdentifier as ident, escapeLiteral as literal, type Client } from 'pg';
import { scramVerifier, verifierMatches } from './scram';

/** The NOLOGIN roles of migration 0096. */
export const READER_ROLES = { sales: 'matviewops_sales_reader', platform: 'matviewops_platform_reader' } as const;
/** Migration 0002's role for the refresh service: refreshes and status, nothing else. */
export const OPERATOR_ROLE = 'mv_ops_operator';
/** The logins the provisioned data sources connect as (provisioning/datasources/matviewops.yaml). */
export const DEFAULT_LOGINS = { sales: 'grafana_sales', platform: 'grafana_platform' } as const;

export interface PlatformUser {
  id: string;
  email: string;
  role: string;
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Group roles the migrations create: never to be made a login, even before they have members. */
const MIGRATION_ROLES = [
  ...Object.values(READER_ROLES),
  'mv_ops_reader',
  'mv_ops_operator',
  'funeral_anon',
  'funeral_authenticated',
  'funeral_tenant',
];
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Why `name` cannot be made a read-only login, or null. Refuses to touch roles with powers or members. */
export async function loginNameProblem(client: Client, name: string, flag: string): Promise<string | null> {
  if (!NAME.test(name)) {
    return `${flag} ${JSON.stringify(name)} is not a plain role name (lower-case letters, digits, _; at most 63)`;
  }
  if (MIGRATION_ROLES.includes(name)) {
    return `${flag} ${name} is one of the roles the migrations create: pick another name`;
  }
  const { rows } = await client.query(
    `SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls AS powerful,
            (SELECT count(*)::int FROM pg_catalog.pg_auth_members m WHERE m.roleid = r.oid) AS members
     FROM pg_catalog.pg_roles r WHERE r.rolname = $1`,
    [name]
  );
  if (rows[0]?.powerful) {
    return `${flag} ${name} is an existing role with superuser, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS: not a read-only login; pick another name`;
  }
  if (rows[0]?.members > 0) {
    return `${flag} ${name} is an existing group role (${rows[0].members} member(s)): pick another name`;
  }
  return null;
}

/** Creates the login or brings it to: LOGIN, INHERIT, member of `memberOf`, this password. */
export async function ensureLogin(
  client: Client,
  name: string,
  memberOf: string,
  password: string
): Promise<{ changes: string[]; warnings: string[] }> {
  const { rows } = await client.query(
    `SELECT r.rolcanlogin AND r.rolinherit AS ready,
            EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                    WHERE m.member = r.oid AND g.rolname = $2) AS member,
            ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                  WHERE m.member = r.oid AND g.rolname <> $2 ORDER BY 1) AS other_groups
     FROM pg_catalog.pg_roles r WHERE r.rolname = $1`,
    [name, memberOf]
  );
  if (rows.length === 0) {
    await client.query(
      `CREATE ROLE ${ident(name)} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
       PASSWORD ${literal(scramVerifier(password))} IN ROLE ${ident(memberOf)}`
    );
    return { changes: [`created (LOGIN, member of ${memberOf}, password set)`], warnings: [] };
  }
  const changes: string[] = [];
  if (!rows[0].ready) {
    await client.query(`ALTER ROLE ${ident(name)} LOGIN INHERIT`);
    changes.push('made LOGIN INHERIT');
  }
  if (!rows[0].member) {
    await client.query(`GRANT ${ident(memberOf)} TO ${ident(name)}`);
    changes.push(`granted ${memberOf}`);
  }
  changes.push(...(await ensurePassword(client, name, password)));
  const warnings = (rows[0].other_groups as string[]).map(
    (g) =>
      `${name} is also a member of ${g}, which this command did not grant: REVOKE ${g} FROM ${name} if it should only read`
  );
  return { changes, warnings };
}

async function ensurePassword(client: Client, name: string, password: string): Promise<string[]> {
  // Only a superuser can read pg_authid; others cannot compare, so they set the password every time.
  const su = await client.query(`SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user`);
  if (su.rows[0]?.rolsuper) {
    const stored = await client.query(`SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = $1`, [name]);
    if (verifierMatches(stored.rows[0]?.rolpassword ?? null, password)) {
      return [];
    }
    await client.query(`ALTER ROLE ${ident(name)} PASSWORD ${literal(scramVerifier(password))}`);
    return ['password changed'];
  }
  await client.query(`ALTER ROLE ${ident(name)} PASSWORD ${literal(scramVerifier(password))}`);
  return ['password set (only a superuser can tell whether it changed)'];
}

const USER_SQL = `SELECT u.id::text, u.email, u.role FROM funeral.users u`;

export async function findUser(client: Client, id: string): Promise<PlatformUser | null> {
  return (await client.query(`${USER_SQL} WHERE u.id = $1::uuid`, [id])).rows[0] ?? null;
}

export async function boundUser(client: Client, login: string): Promise<PlatformUser | null> {
  const { rows } = await client.query(
    `${USER_SQL} JOIN funeral.login_role_binding b ON b.user_id = u.id WHERE b.role_name = $1`,
    [login]
  );
  return rows[0] ?? null;
}

/** The platform's first super admin (oldest, then lowest id): a stable choice while the users stay. */
export async function firstSuperAdmin(client: Client): Promise<PlatformUser | null> {
  return (
    (await client.query(`${USER_SQL} WHERE u.role = 'super_admin' ORDER BY u.created_at, u.id LIMIT 1`)).rows[0] ?? null
  );
}

/** Binds the login to the user (funeral.login_role_binding); returns what changed, or null. */
export async function ensureBinding(client: Client, login: string, user: PlatformUser): Promise<string | null> {
  const current = await boundUser(client, login);
  if (current?.id === user.id) {
    return null;
  }
  await client.query(
    `INSERT INTO funeral.login_role_binding (role_name, user_id) VALUES ($1, $2::uuid)
     ON CONFLICT (role_name) DO UPDATE SET user_id = EXCLUDED.user_id, created_at = now()`,
    [login, user.id]
  );
  const who = `${user.email} (${user.role}, ${user.id})`;
  return current ? `rebound from ${current.email} to ${who}` : `bound to ${who}`;
}
