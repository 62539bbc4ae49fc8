// npm run db:logins end to end: the logins it makes connect over TCP with their passwords (the server checks
// them), read what the dashboards read as the platform user they are bound to, and a second run changes nothing.
// Login names carry the process id: roles are cluster-wide and other test files run at the same time.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { funeralSeeder } from '../../server/src/seed/funeral';
import { salesSeeder } from '../../server/src/seed/sales';
import { errorOf, openTestDatabase, type TestDb } from '../harness/sql';
import { connectAs, loginOutcome, requirePasswords, runLoginsCli, type CliResult } from './support';

jest.setTimeout(180_000);

const id = process.pid;
const SALES = `gs_${id}`;
const PLATFORM = `gp_${id}`;
const TENANT = `gt_${id}`;
const FROM_FILE = `gf_${id}`;
const PW = { sales: 'sales-Pw-0123456789', platform: 'platform-Pw-0123456789', tenant: 'tenant-Pw-0123456789' };

let db: TestDb;
let owner: Client;
let restoreHba: () => Promise<void> = async () => undefined;
let tmp: string;
const sessions: Client[] = [];

const names = ['--sales-login', SALES, '--platform-login', PLATFORM];
const logins = (extra: string[] = [], env: Record<string, string> = {}): Promise<CliResult> =>
  runLoginsCli(['--database-url', db.url, ...names, ...extra], {
    SALES_LOGIN_PASSWORD: PW.sales,
    PLATFORM_LOGIN_PASSWORD: PW.platform,
    ...env,
  });
const session = async (role: string, password: string): Promise<Client> => {
  const c = await connectAs(db.url, role, password);
  sessions.push(c);
  return c;
};
const orgsSeen = async (c: Client, view: string): Promise<string[]> =>
  (await c.query(`SELECT DISTINCT organization_id::text AS o FROM funeral.${view} ORDER BY 1`)).rows.map((r) => r.o);
const allOrgs = async (): Promise<string[]> =>
  (
    await owner.query(`SELECT DISTINCT organization_id::text AS o FROM funeral_mv.mv_organization_dashboard ORDER BY 1`)
  ).rows.map((r) => r.o);
const lines = (text: string): string[] => text.split('\n').filter(Boolean);
const noPassword = (r: CliResult): void => {
  for (const pw of Object.values(PW)) {
    expect(r.stdout + r.stderr).not.toContain(pw);
  }
};
/** What a rerun must leave alone: attributes, password verifiers, memberships and bindings of our logins. */
const loginState = async (): Promise<unknown[]> =>
  (
    await owner.query(
      `SELECT a.rolname, a.rolcanlogin, a.rolsuper, a.rolinherit, a.rolpassword,
              ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = a.oid) AS groups,
              b.user_id, b.created_at
       FROM pg_authid a LEFT JOIN funeral.login_role_binding b ON b.role_name = a.rolname
       WHERE a.rolname = ANY ($1) ORDER BY 1`,
      [[SALES, PLATFORM, TENANT]]
    )
  ).rows;

beforeAll(async () => {
  db = await openTestDatabase('roles_logins');
  owner = await db.session();
  for (const role of [SALES, PLATFORM, TENANT, FROM_FILE]) {
    await owner.query(`DROP ROLE IF EXISTS ${role}`);
  }
  await salesSeeder.seed(owner, { scale: 0.1, seed: 3, progress: () => undefined });
  await funeralSeeder.seed(owner, { scale: 0.05, seed: 5, progress: () => undefined });
  restoreHba = await requirePasswords(owner, db.url, [SALES, PLATFORM, TENANT, FROM_FILE]);
  tmp = mkdtempSync(join(tmpdir(), 'db-logins-'));
});
afterAll(async () => {
  await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
  await restoreHba();
  await db.close();
  for (const role of [SALES, PLATFORM, TENANT, FROM_FILE]) {
    await owner.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe('npm run db:logins', () => {
  test('creates both logins and binds the platform one to a super admin, saying so and printing no password', async () => {
    const r = await logins();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe(`${SALES}: created (LOGIN, member of matviewops_sales_reader, password set)`);
    expect(out[1]).toMatch(
      new RegExp(
        `^${PLATFORM}: created \\(LOGIN, member of matviewops_platform_reader, password set\\); bound to admin\\d@platform\\.example \\(super_admin, [0-9a-f-]{36}\\)$`
      )
    );
    expect(out).toHaveLength(2);
    noPassword(r);
    const { rows } = await owner.query(
      `SELECT rolname, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, left(rolpassword, 14) AS hash
       FROM pg_authid WHERE rolname = ANY ($1) ORDER BY 1`,
      [[SALES, PLATFORM]]
    );
    const expected = {
      rolcanlogin: true,
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      hash: 'SCRAM-SHA-256$',
    };
    expect(rows).toEqual([
      { rolname: PLATFORM, ...expected },
      { rolname: SALES, ...expected },
    ]);
  });

  test('the server is told a SCRAM verifier, never the password: not even a statement log at "all" shows it', async () => {
    const log = (
      await owner.query(`SELECT regexp_replace(current_setting('data_directory'), '/data$', '/server.log') AS f`)
    ).rows[0].f;
    const size = async (): Promise<number> =>
      Number((await owner.query(`SELECT (pg_stat_file($1)).size AS s`, [log])).rows[0].s);
    const before = await size();
    await owner.query(`ALTER DATABASE ${new URL(db.url).pathname.slice(1)} SET log_statement = 'all'`);
    try {
      const r = await logins(['--only', 'sales'], { SALES_LOGIN_PASSWORD: 'logged-Pw-0123456789' });
      expect(r.code).toBe(0);
    } finally {
      await owner.query(`ALTER DATABASE ${new URL(db.url).pathname.slice(1)} RESET log_statement`);
      await logins(['--only', 'sales']); // back to PW.sales
    }
    const text = (await owner.query(`SELECT pg_read_file($1, $2, $3) AS t`, [log, before, (await size()) - before]))
      .rows[0].t;
    expect(text).toMatch(new RegExp(`ALTER ROLE "${SALES}" PASSWORD 'SCRAM-SHA-256\\$4096:`));
    expect(text).not.toContain('logged-Pw-0123456789');
  });

  test('each login connects over TCP with its password, and a wrong password is refused', async () => {
    expect(await loginOutcome(db.url, SALES, PW.sales)).toBe('connected');
    expect(await loginOutcome(db.url, PLATFORM, PW.platform)).toBe('connected');
    expect(await loginOutcome(db.url, SALES, PW.platform)).toBe('28P01');
    expect(await loginOutcome(db.url, PLATFORM, 'wrong-password-000')).toBe('28P01');
  });

  test('the sales login reads the views, report functions and mv_ops status, and cannot write or refresh', async () => {
    const c = await session(SALES, PW.sales);
    expect((await c.query(`SELECT count(*)::int AS n FROM pos.mv_daily_sales_summary`)).rows[0].n).toBeGreaterThan(0);
    const summary = await c.query(
      `SELECT pos.get_dashboard_summary_enhanced_mv('2025-06-01', '2025-06-30', '2025-05-01', '2025-05-31') AS r`
    );
    expect(Number(summary.rows[0].r.current_period.total_revenue)).toBeGreaterThan(0);
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.freshness`)).rows[0].n).toBe(16);
    expect((await errorOf(c.query(`DELETE FROM pos.lengolf_sales`))).message).toMatch(/permission denied/);
    expect((await errorOf(c.query(`CALL mv_ops.refresh()`))).message).toMatch(/permission denied/);
    expect((await errorOf(c.query(`REFRESH MATERIALIZED VIEW pos.mv_daily_sales_summary`))).message).toMatch(
      /must be owner/
    );
  });

  test('the platform login acts as the super admin: every organisation in funeral.mv_organization_dashboard, no funeral_mv', async () => {
    const c = await session(PLATFORM, PW.platform);
    const me = (await c.query(`SELECT platform_role, via FROM funeral.current_identity`)).rows;
    expect(me).toEqual([{ platform_role: 'super_admin', via: 'login_role' }]);
    const every = await allOrgs();
    expect(every.length).toBeGreaterThanOrEqual(4);
    expect(await orgsSeen(c, 'mv_organization_dashboard')).toEqual(every);
    expect((await c.query(`SELECT count(*)::int AS n FROM funeral.view_freshness`)).rows[0].n).toBe(7);
    expect((await errorOf(c.query(`SELECT 1 FROM funeral_mv.mv_organization_dashboard`))).message).toMatch(
      /permission denied for schema funeral_mv/
    );
    expect((await errorOf(c.query(`SELECT 1 FROM mv_ops.freshness`))).message).toMatch(/permission denied/);
  });

  test('a second run changes nothing and says so', async () => {
    const before = await loginState();
    const r = await logins();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines(r.stdout)).toEqual([
      `${SALES}: unchanged`,
      expect.stringMatching(
        new RegExp(`^${PLATFORM}: unchanged \\(acts as admin\\d@platform\\.example, super_admin\\)$`)
      ),
    ]);
    noPassword(r);
    expect(await loginState()).toEqual(before);
  });

  test('a new password replaces the old one', async () => {
    const next = 'sales-Pw-next-0123456789';
    const r = await logins(['--only', 'sales'], { SALES_LOGIN_PASSWORD: next });
    expect(lines(r.stdout)).toEqual([`${SALES}: password changed`]);
    expect(r.stdout + r.stderr).not.toContain(next);
    expect(await loginOutcome(db.url, SALES, PW.sales)).toBe('28P01');
    expect(await loginOutcome(db.url, SALES, next)).toBe('connected');
    await logins(['--only', 'sales']);
    expect(await loginOutcome(db.url, SALES, PW.sales)).toBe('connected');
  });

  test('a password file (Docker secret) is read without its final newline', async () => {
    const file = join(tmp, 'sales-password');
    writeFileSync(file, 'file-Pw-0123456789\n');
    const r = await runLoginsCli(['--database-url', db.url, '--only', 'sales', '--sales-login', FROM_FILE], {
      SALES_LOGIN_PASSWORD_FILE: file,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('file-Pw');
    expect(await loginOutcome(db.url, FROM_FILE, 'file-Pw-0123456789')).toBe('connected');
  });

  test('PLATFORM_SUPER_ADMIN_USER_ID chooses which super admin the platform login acts as', async () => {
    const bound = `SELECT u.email FROM funeral.login_role_binding b JOIN funeral.users u ON u.id = b.user_id WHERE b.role_name = $1`;
    const current = (await owner.query(bound, [PLATFORM])).rows[0].email;
    const other = (
      await owner.query(`SELECT id::text, email FROM funeral.users WHERE role = 'super_admin' AND email <> $1`, [
        current,
      ])
    ).rows[0];
    const r = await logins(['--only', 'platform'], { PLATFORM_SUPER_ADMIN_USER_ID: other.id });
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      `${PLATFORM}: rebound from ${current} to ${other.email} (super_admin, ${other.id})`,
    ]);
    const c = await session(PLATFORM, PW.platform);
    expect((await c.query(`SELECT user_id::text FROM funeral.current_identity`)).rows).toEqual([{ user_id: other.id }]);
    // Without the variable the binding stays with that super admin rather than moving back to the first one.
    expect(lines((await logins(['--only', 'platform'])).stdout)).toEqual([
      `${PLATFORM}: unchanged (acts as ${other.email}, super_admin)`,
    ]);
  });

  test('a tenant login made the documented way sees only its organisation', async () => {
    const admin = (
      await owner.query(
        `SELECT u.id::text, u.email FROM funeral.organization_users ou JOIN funeral.users u ON u.id = ou.user_id
         WHERE ou.organization_id = 1 AND ou.role = 'admin'`
      )
    ).rows[0];
    const r = await runLoginsCli(['--database-url', db.url, '--tenant', TENANT, '--user', admin.id], {
      TENANT_LOGIN_PASSWORD: PW.tenant,
    });
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      `${TENANT}: created (LOGIN, member of matviewops_platform_reader, password set); bound to ${admin.email} (provider, ${admin.id})`,
    ]);
    noPassword(r);
    const c = await session(TENANT, PW.tenant);
    expect(await orgsSeen(c, 'mv_organization_dashboard')).toEqual(['1']);
    expect(await orgsSeen(c, 'mv_financial_summary')).toEqual(['1']);
    expect((await c.query(`SELECT count(*)::int AS n FROM funeral.mv_customer_lifetime_value`)).rows[0].n).toBe(0);
    // The platform dashboard's freshness panel works the same in the tenant's Grafana organisation.
    expect((await c.query(`SELECT count(*)::int AS n FROM funeral.view_freshness`)).rows[0].n).toBe(7);
  });

  test('the bindings survive db:seed with the same seed; after another seed db:logins binds the platform login again', async () => {
    const progress: string[] = [];
    const seed = (value: number): Promise<unknown> =>
      funeralSeeder.seed(owner, { scale: 0.05, seed: value, progress: (l) => progress.push(l) });
    const c = await session(PLATFORM, PW.platform);
    await seed(5);
    expect(progress).toContain(`funeral: kept the login binding(s) of ${PLATFORM}, ${TENANT}`);
    expect(await orgsSeen(c, 'mv_organization_dashboard')).toEqual(await allOrgs());

    progress.length = 0;
    await seed(6); // other users: the bound ones are gone, and the seed says so
    expect(progress).toContain(
      `funeral: dropped the login binding(s) of ${PLATFORM}, ${TENANT}: the role or its user is not in the new data (run npm run db:logins again)`
    );
    expect((await c.query(`SELECT * FROM funeral.current_identity`)).rows).toEqual([]);
    expect(await orgsSeen(c, 'mv_organization_dashboard')).toEqual([]);

    const r = await logins(['--only', 'platform']);
    expect(lines(r.stdout)).toEqual([
      expect.stringMatching(
        new RegExp(`^${PLATFORM}: bound to admin\\d@platform\\.example \\(super_admin, [0-9a-f-]{36}\\)$`)
      ),
    ]);
    expect(await orgsSeen(c, 'mv_organization_dashboard')).toEqual(await allOrgs());
  });
});

describe('npm run db:logins with bad input: exit code 2, one line per problem, nothing changed', () => {
  const refused = (r: CliResult, problems: string[]): void => {
    expect({ code: r.code, stdout: r.stdout, problems: lines(r.stderr) }).toEqual({ code: 2, stdout: '', problems });
  };

  test('no passwords at all', async () => {
    refused(
      await runLoginsCli(['--database-url', db.url, '--sales-login', `gx_${id}`, '--platform-login', `gy_${id}`]),
      [
        'SALES_LOGIN_PASSWORD (or SALES_LOGIN_PASSWORD_FILE) is not set',
        'PLATFORM_LOGIN_PASSWORD (or PLATFORM_LOGIN_PASSWORD_FILE) is not set',
      ]
    );
    const { rows } = await owner.query(`SELECT rolname FROM pg_roles WHERE rolname = ANY ($1)`, [
      [`gx_${id}`, `gy_${id}`],
    ]);
    expect(rows).toEqual([]);
  });

  test('a password both set and given as a file, an unreadable file, a short password', async () => {
    const missing = join(tmp, 'no-such-file');
    refused(
      await runLoginsCli(['--database-url', db.url, ...names], {
        SALES_LOGIN_PASSWORD: PW.sales,
        SALES_LOGIN_PASSWORD_FILE: missing,
        PLATFORM_LOGIN_PASSWORD_FILE: missing,
      }),
      [
        'set SALES_LOGIN_PASSWORD or SALES_LOGIN_PASSWORD_FILE, not both',
        `PLATFORM_LOGIN_PASSWORD_FILE: cannot read ${missing} (ENOENT)`,
      ]
    );
    refused(await logins([], { SALES_LOGIN_PASSWORD: 'short' }), [
      'SALES_LOGIN_PASSWORD holds a password shorter than 12 characters',
    ]);
  });

  test('an unknown, malformed or non-super-admin PLATFORM_SUPER_ADMIN_USER_ID', async () => {
    const before = await loginState();
    const nobody = '00000000-0000-4000-8000-000000000000';
    refused(await logins([], { PLATFORM_SUPER_ADMIN_USER_ID: nobody }), [
      `PLATFORM_SUPER_ADMIN_USER_ID ${nobody} is not a user in funeral.users`,
    ]);
    refused(await logins([], { PLATFORM_SUPER_ADMIN_USER_ID: 'admin1' }), [
      'PLATFORM_SUPER_ADMIN_USER_ID "admin1" is not a uuid',
    ]);
    const provider = (await owner.query(`SELECT id::text FROM funeral.users WHERE role = 'provider' LIMIT 1`)).rows[0]
      .id;
    refused(await logins([], { PLATFORM_SUPER_ADMIN_USER_ID: provider }), [
      `PLATFORM_SUPER_ADMIN_USER_ID ${provider} is a provider, not a super_admin: ${PLATFORM} must see every organisation`,
    ]);
    expect(await loginState()).toEqual(before);
  });

  test('a tenant without --user, or with a user that does not exist', async () => {
    const env = { TENANT_LOGIN_PASSWORD: PW.tenant };
    refused(await runLoginsCli(['--database-url', db.url, '--tenant', TENANT], env), [
      expect.stringMatching(/^--tenant and --user go together; usage: npm run db:logins/),
    ]);
    const nobody = '00000000-0000-4000-8000-000000000000';
    refused(await runLoginsCli(['--database-url', db.url, '--tenant', TENANT, '--user', nobody], env), [
      `--user ${nobody} is not a user in funeral.users`,
    ]);
  });

  test('an existing superuser, group role or migration role is never turned into a read-only login', async () => {
    refused(await logins(['--only', 'sales', '--sales-login', 'postgres']), [
      '--sales-login postgres is an existing role with superuser, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS: not a read-only login; pick another name',
    ]);
    refused(await logins(['--only', 'platform', '--platform-login', 'matviewops_platform_reader']), [
      '--platform-login matviewops_platform_reader is one of the roles the migrations create: pick another name',
    ]);
    const group = `gg_${id}`;
    await owner.query(`DROP ROLE IF EXISTS ${group}; CREATE ROLE ${group} NOLOGIN; GRANT ${group} TO ${SALES}`);
    try {
      refused(await logins(['--only', 'platform', '--platform-login', group]), [
        `--platform-login ${group} is an existing group role (1 member(s)): pick another name`,
      ]);
    } finally {
      await owner.query(`DROP ROLE ${group}`);
    }
    expect((await owner.query(`SELECT rolsuper FROM pg_roles WHERE rolname = 'postgres'`)).rows).toEqual([
      { rolsuper: true },
    ]);
  });

  test('an unknown option, and no database at all', async () => {
    refused(await runLoginsCli(['--sales', 'x'], { DATABASE_URL: db.url }), [
      expect.stringMatching(/^Unknown option '--sales'.*; usage: npm run db:logins/),
    ]);
    refused(await runLoginsCli([], { SALES_LOGIN_PASSWORD: PW.sales, PLATFORM_LOGIN_PASSWORD: PW.platform }), [
      'no database given: set DATABASE_URL (an owner or superuser, as for db:migrate) or pass --database-url',
    ]);
  });

  test('a database with no super admin yet (funeral pack not seeded)', async () => {
    const empty = await openTestDatabase('roles_logins_empty');
    try {
      const r = await runLoginsCli(['--database-url', empty.url, ...names], {
        SALES_LOGIN_PASSWORD: PW.sales,
        PLATFORM_LOGIN_PASSWORD: PW.platform,
      });
      refused(r, [
        `no super_admin in funeral.users to bind ${PLATFORM} to: seed the funeral pack (npm run db:seed -- --pack funeral) or set PLATFORM_SUPER_ADMIN_USER_ID`,
      ]);
    } finally {
      await empty.close();
    }
  });
});
