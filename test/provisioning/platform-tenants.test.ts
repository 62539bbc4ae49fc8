// The platform dashboard serves super admins and, with the same file, a tenant organisation whose data source is
// that tenant's bound login. Its panel and variable queries are run as Grafana runs them (variables resolved by
// running the variable's own query as the same login; "All" as saved in the dashboard):
//   - as a tenant login made the README's way ("Funeral platform pack" → identity, way 2: CREATE ROLE ... LOGIN
//     IN ROLE funeral_tenant, then a funeral.login_role_binding row), bound to an admin of one organisation, every
//     query returns exactly what the super admin sees with only that organisation picked: that tenant's rows;
//   - as a tenant login made by `npm run db:logins -- --tenant NAME --user UUID` (the README's "A tenant
//     organisation's own Grafana organisation"), bound to a staff member of another organisation: the same, except
//     the financial panels, which the rule keeps from staff (no rows);
//   - as the super admin login (member of matviewops_platform_reader bound to a super admin, as db:logins binds
//     grafana_platform): every organisation's rows, i.e. what the same SQL returns from the funeral_mv
//     materialized views themselves, read by their owner with no rule in between (neither the views' rules nor
//     the panels' own filter on the views the seed makes public, which shows a tenant only its organisations).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from 'pg';
import { visibleToCaller } from '../../provisioning/src/dashboards/platform';
import { PLATFORM_DATASOURCE_UID } from '../../provisioning/src/datasources';
import type { TemplateVariable } from '../grafana/macros';
import { REPO_ROOT } from '../harness/runMigrations';
import { buildCases, loadQueries, Preparer, type Case } from './support/cases';
import { openSeededDatabase, runSql, type SeededDb } from './support/database';
import { RANGES, type PickedRange } from './support/ranges';

jest.setTimeout(300_000);

const DEFAULT_RANGE: PickedRange = {
  name: 'the dashboard default (now/y to now)',
  raw: { from: 'now/y', to: 'now' },
  resolve: (now) => ({ from: new Date(Date.UTC(now.getUTCFullYear(), 0, 1)), to: now }),
};
const ranges = [...RANGES.filter((r) => ['last 30 d', 'this month so far'].includes(r.name)), DEFAULT_RANGE];
const queries = loadQueries();
const platform = queries.filter((q) => q.dashboard?.json.uid === 'matviewops-platform');
const cases = buildCases(platform, ranges);

/** Views with a per-tenant rule; the others (search index, availability) are the same for everyone. */
const RULED = [
  'mv_organization_dashboard',
  'mv_service_performance',
  'mv_location_availability',
  'mv_financial_summary',
  'mv_customer_lifetime_value',
];
/** The rule lets an organisation's admins and managers read these, not its staff. */
const ADMINS_AND_MANAGERS_ONLY = /\bfuneral\.mv_financial_summary\b/;
/** The rule lets only super admins read these: a tenant gets no rows. */
const SUPER_ADMINS_ONLY = /\bfuneral\.mv_customer_lifetime_value\b/;

let seeded: SeededDb;
let admin: { org: string; user: string; login: Client; prepare: Preparer };
let staff: { org: string; user: string; login: Client; prepare: Preparer };
let superAdmin: Preparer;

/** An organisation's user who belongs to no other organisation, in an active, verified organisation. */
async function soleMember(c: Client, role: string, notOrg?: string): Promise<{ org: string; user: string }> {
  const { rows } = await c.query(
    `SELECT ou.organization_id::text AS org, ou.user_id::text AS "user"
     FROM funeral.organization_users ou JOIN funeral.organizations o ON o.id = ou.organization_id
     WHERE ou.role = $1 AND o.status = 'active' AND o.verification_status = 'verified'
       AND ou.organization_id::text IS DISTINCT FROM $2
       AND (SELECT count(*) FROM funeral.organization_users x WHERE x.user_id = ou.user_id) = 1
     ORDER BY ou.organization_id, ou.user_id LIMIT 1`,
    [role, notOrg ?? null]
  );
  if (!rows[0]) {
    throw new Error(`the funeral seed has no sole ${role} of an active, verified organisation`);
  }
  return rows[0];
}

const tenantPreparer = (login: Client): Preparer => new Preparer({ login: () => login }, queries);

beforeAll(async () => {
  seeded = await openSeededDatabase('prov_platform_tenants');
  const o = seeded.owner;
  const suffix = `${process.pid}`;

  // Identity, way 2 (README): a login in funeral_tenant, bound to one platform user.
  const a = await soleMember(o, 'admin');
  const adminRole = `grafana_org_${a.org}_${suffix}`;
  await o.query(`DROP ROLE IF EXISTS ${adminRole}`);
  await o.query(`CREATE ROLE ${adminRole} LOGIN PASSWORD '${randomBytes(12).toString('hex')}' IN ROLE funeral_tenant`);
  seeded.createdRoles.push(adminRole);
  await o.query(`INSERT INTO funeral.login_role_binding (role_name, user_id) VALUES ($1, $2)`, [adminRole, a.user]);
  const adminLogin = await seeded.connectAs(adminRole);
  admin = { ...a, login: adminLogin, prepare: tenantPreparer(adminLogin) };

  // A tenant organisation's Grafana data source login (README), made by the command the README names.
  const s = await soleMember(o, 'staff', a.org);
  const staffRole = `grafana_org_${s.org}_staff_${suffix}`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', resolve(REPO_ROOT, 'server/src/cli/db-logins.ts'), '--tenant', staffRole, '--user', s.user],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: seeded.db.url, TENANT_LOGIN_PASSWORD: randomBytes(12).toString('hex') },
      timeout: 60_000,
    }
  );
  seeded.createdRoles.push(staffRole);
  expect(stdout).toContain(`${staffRole}: created`);
  const staffLogin = await seeded.connectAs(staffRole);
  staff = { ...s, login: staffLogin, prepare: tenantPreparer(staffLogin) };

  superAdmin = new Preparer(seeded, queries);
});
afterAll(() => seeded?.close());

const picked = (org: string): Record<string, TemplateVariable> => ({
  organization: { value: [org], multi: true, includeAll: true, allValue: "'all'" },
});

/** The panels' filter on the public views (search index, availability) under any table alias. */
const CALLER_FILTER = new RegExp(
  visibleToCaller('\0')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace('\0', '\\w+'),
  'g'
);

/**
 * The same SQL against the materialized views themselves, the panels' own caller filter dropped: every row, no
 * tenant rule. (The owner is no platform user: through the filter it would be shown nothing.)
 */
const withoutRules = (sql: string): string =>
  RULED.reduce(
    (s, v) => s.replace(new RegExp(`\\bfuneral\\.${v}\\b`, 'g'), `funeral_mv.${v}`),
    sql.replace(CALLER_FILTER, 'true')
  );

const rowsOf = async (c: Client, sql: string): Promise<unknown[][]> => (await runSql(c, sql)).rows;

const named = (suffix: string, kinds = ['panel', 'variable']) =>
  cases.filter((c) => kinds.includes(c.q.kind)).map((c) => [`${c.name}: ${suffix}`, c] as const);

test('there are platform queries, the variable among them', () => {
  expect(platform.filter((q) => q.kind === 'panel').length).toBeGreaterThan(0);
  expect(platform.filter((q) => q.kind === 'variable').map((q) => q.name)).toEqual(['organization']);
});

test('each login knows who it is: the tenants their one organisation, the super admin every one', async () => {
  const orgs = async (c: Client) =>
    (await c.query(`SELECT organization_id::text AS o FROM funeral.my_organizations ORDER BY 1`)).rows.map((r) => r.o);
  expect(await orgs(admin.login)).toEqual([admin.org]);
  expect(await orgs(staff.login)).toEqual([staff.org]);
  const who = await seeded.login(PLATFORM_DATASOURCE_UID).query(`SELECT platform_role FROM funeral.current_identity`);
  expect(who.rows).toEqual([{ platform_role: 'super_admin' }]);
});

// The variable's own rows are checked by the picker test below; here the panels.
test.each(named('a tenant admin login (identity way 2) sees only its organisation', ['panel']))(
  '%s',
  async (_n, c: Case) => {
    const [tenant, reference] = await Promise.all([admin.prepare.sql(c), superAdmin.sql(c, picked(admin.org))]);
    const expected = SUPER_ADMINS_ONLY.test(c.q.rawSql)
      ? []
      : await rowsOf(seeded.login(PLATFORM_DATASOURCE_UID), reference);
    expect({ sql: tenant, rows: await rowsOf(admin.login, tenant) }).toEqual({ sql: tenant, rows: expected });
  }
);

test.each(named('a tenant staff login (db:logins --tenant) sees only its organisation, no finances', ['panel']))(
  '%s',
  async (_n, c: Case) => {
    const [tenant, reference] = await Promise.all([staff.prepare.sql(c), superAdmin.sql(c, picked(staff.org))]);
    const expected =
      ADMINS_AND_MANAGERS_ONLY.test(c.q.rawSql) || SUPER_ADMINS_ONLY.test(c.q.rawSql)
        ? []
        : await rowsOf(seeded.login(PLATFORM_DATASOURCE_UID), reference);
    expect({ sql: tenant, rows: await rowsOf(staff.login, tenant) }).toEqual({ sql: tenant, rows: expected });
  }
);

test.each(named("the super admin login sees every organisation's rows"))('%s', async (_n, c: Case) => {
  const sql = await superAdmin.sql(c);
  const expected = await rowsOf(seeded.owner, withoutRules(sql));
  expect({ sql, rows: await rowsOf(seeded.login(PLATFORM_DATASOURCE_UID), sql) }).toEqual({ sql, rows: expected });
});

test('the organisation picker: a tenant is offered its organisation only, the super admin all of them', async () => {
  const variable = cases.find((c) => c.q.kind === 'variable')!;
  const options = async (p: Preparer): Promise<string[]> =>
    ((await p.variablesFor(variable)).organization.options ?? []).slice().sort();
  const all = (
    await seeded.owner.query(`SELECT organization_id::text AS o FROM funeral_mv.mv_organization_dashboard ORDER BY 1`)
  ).rows.map((r) => r.o);
  expect(all.length).toBeGreaterThan(1);
  expect(await options(admin.prepare)).toEqual([admin.org]);
  expect(await options(staff.prepare)).toEqual([staff.org]);
  expect(await options(superAdmin)).toEqual(all);
});
