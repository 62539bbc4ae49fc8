// npm run db:logins -- --service-login NAME: the refresh service's login, as the Compose stack makes it (password from
// SERVICE_LOGIN_PASSWORD_FILE), holding mv_ops_operator and nothing else; the service then starts as it and is ready.
// Login names carry the process id: roles are cluster-wide and other test files run at the same time. Passwords are
// checked against the stored SCRAM verifier rather than over TCP, so this file never edits the cluster's pg_hba.conf,
// which db-logins.test.ts and reader-roles.test.ts do.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'pg';
import { verifierMatches } from '../../server/src/logins/scram';
import { salesSeeder } from '../../server/src/seed/sales';
import { errorOf, openTestDatabase, type TestDb } from '../harness/sql';
import { spawnServer } from '../server/process';
import { ADMIN_SECRET, READ_SECRET } from '../server/service';
import { runLoginsCli, type CliResult } from './support';

jest.setTimeout(180_000);

const id = process.pid;
const SALES = `gss_${id}`;
const SERVICE = `svc_${id}`;
const PW = { sales: 'sales-Pw-0123456789', service: 'service-Pw-0123456789abcdef' };

let db: TestDb;
let owner: Client;
let tmp: string;
let serviceFile: string;

const logins = (extra: string[] = [], env: Record<string, string> = {}): Promise<CliResult> =>
  runLoginsCli(['--database-url', db.url, '--only', 'sales', '--sales-login', SALES, ...extra], {
    SALES_LOGIN_PASSWORD: PW.sales,
    SERVICE_LOGIN_PASSWORD_FILE: serviceFile,
    ...env,
  });
const lines = (text: string): string[] => text.split('\n').filter(Boolean);
const groupsOf = async (role: string): Promise<string[]> =>
  (
    await owner.query(
      `SELECT g.rolname::text AS g FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
       JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1 ORDER BY 1`,
      [role]
    )
  ).rows.map((r) => r.g);

beforeAll(async () => {
  db = await openTestDatabase('roles_service_login');
  owner = await db.session();
  for (const role of [SALES, SERVICE]) {
    await owner.query(`DROP ROLE IF EXISTS ${role}`);
  }
  await salesSeeder.seed(owner, { scale: 0.1, seed: 3, progress: () => undefined });
  tmp = mkdtempSync(join(tmpdir(), 'db-logins-service-'));
  serviceFile = join(tmp, 'matviewops_service_password');
  // As the stack's secrets step writes it: no final newline (one would be dropped anyway).
  writeFileSync(serviceFile, `${PW.service}\n`);
});
afterAll(async () => {
  await db.close();
  for (const role of [SALES, SERVICE]) {
    await owner.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  }
  rmSync(tmp, { recursive: true, force: true });
});

describe('npm run db:logins -- --service-login', () => {
  test('makes the service login, a member of mv_ops_operator only, with the password from the file, printing none', async () => {
    const r = await logins(['--service-login', SERVICE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      `${SALES}: created (LOGIN, member of matviewops_sales_reader, password set)`,
      `${SERVICE}: created (LOGIN, member of mv_ops_operator, password set)`,
    ]);
    expect(r.stdout + r.stderr).not.toContain(PW.service);
    expect(await groupsOf(SERVICE)).toEqual(['mv_ops_operator']);
    const { rows } = await owner.query(
      `SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolpassword FROM pg_authid WHERE rolname = $1`,
      [SERVICE]
    );
    expect(rows[0]).toMatchObject({
      rolcanlogin: true,
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolbypassrls: false,
    });
    // The stored verifier is for exactly the file's content without its newline.
    expect(verifierMatches(rows[0].rolpassword, PW.service)).toBe(true);
    expect(verifierMatches(rows[0].rolpassword, `${PW.service}\n`)).toBe(false);
  });

  test('as that login: status and refresh requests yes, the sales table and writes no', async () => {
    await owner.query(`SET ROLE ${SERVICE}`);
    try {
      expect((await owner.query(`SELECT count(*)::int AS n FROM mv_ops.freshness`)).rows[0].n).toBeGreaterThan(0);
      const can = await owner.query(
        `SELECT has_function_privilege('mv_ops.request_refresh(text[], text, boolean, text, text, text, interval, int)', 'EXECUTE') AS request,
                has_table_privilege('pos.lengolf_sales', 'SELECT') AS sales_table`
      );
      expect(can.rows[0]).toEqual({ request: true, sales_table: false });
      expect((await errorOf(owner.query(`DELETE FROM pos.lengolf_sales`))).message).toMatch(/permission denied/);
    } finally {
      await owner.query('RESET ROLE');
    }
  });

  test('the refresh service starts as that login, its password from DATABASE_PASSWORD_FILE, and is ready', async () => {
    const url = new URL(db.url);
    url.username = SERVICE;
    url.password = '';
    const s = spawnServer({
      DATABASE_URL: url.toString(),
      DATABASE_PASSWORD_FILE: serviceFile,
      READ_SECRET,
      ADMIN_SECRET,
      PORT: '0',
      // The cloned test database has no pg_cron job of its own: the service's tick is its scheduler.
      TICK_ENABLED: 'true',
    });
    try {
      let base: string | undefined;
      for (let i = 0; i < 200 && !base; i++) {
        base = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())?.[1];
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(base).toBeDefined();
      const ready = await fetch(`${base}/readyz`);
      const body = await ready.json();
      expect({ status: ready.status, database: body.checks.database.ok }).toEqual({ status: 200, database: true });
      const who = await owner.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND datname = current_database()`,
        [SERVICE]
      );
      expect(who.rows[0].n).toBeGreaterThan(0);
    } finally {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  });

  test('a second run changes nothing', async () => {
    const r = await logins(['--service-login', SERVICE]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([`${SALES}: unchanged`, `${SERVICE}: unchanged`]);
  });

  test('a service login that also holds a reader role is kept as it is, with a warning to revoke it', async () => {
    await owner.query(`GRANT matviewops_sales_reader TO ${SERVICE}`);
    try {
      const r = await logins(['--service-login', SERVICE]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(
        `warning: ${SERVICE} is also a member of matviewops_sales_reader, which this command did not grant: REVOKE matviewops_sales_reader FROM ${SERVICE}`
      );
    } finally {
      await owner.query(`REVOKE matviewops_sales_reader FROM ${SERVICE}`);
    }
  });

  test.each([
    [
      'no password for it',
      ['--service-login', SERVICE],
      { SERVICE_LOGIN_PASSWORD_FILE: '' },
      'SERVICE_LOGIN_PASSWORD (or SERVICE_LOGIN_PASSWORD_FILE) is not set',
    ],
    [
      'the same name as the sales login',
      ['--service-login', SALES],
      {},
      `each login needs its own name (${SALES} is given twice)`,
    ],
    [
      'the operator role itself',
      ['--service-login', 'mv_ops_operator'],
      {},
      '--service-login mv_ops_operator is one of the roles the migrations create: pick another name',
    ],
  ])('refuses %s (exit code 2, nothing changed)', async (_what, args, env, message) => {
    const r = await logins(args, env);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toContain(message);
  });

  test('refuses --service-login with --tenant', async () => {
    const r = await runLoginsCli(
      [
        '--database-url',
        db.url,
        '--tenant',
        'x_tenant',
        '--user',
        '00000000-0000-0000-0000-000000000000',
        '--service-login',
        SERVICE,
      ],
      { TENANT_LOGIN_PASSWORD: 'tenant-Pw-0123456789' }
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--service-login do not apply');
  });
});
