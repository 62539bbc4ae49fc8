// The stack's shell steps (docker/stack/), run here as Compose runs them, against a test database: what each
// decides and which npm command it then runs (npm is replaced by a recorder; db-has.mjs asks the real database).
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from 'pg';
import { funeralSeeder } from '../../server/src/seed/funeral';
import { salesSeeder } from '../../server/src/seed/sales';
import { REPO_ROOT } from '../harness/runMigrations';
import { openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(180_000);

let db: TestDb;
let owner: Client;
let bin: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  npm: string[];
}

/** Runs a step from the repository root (the containers' /app) with only the variables given. */
async function step(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const log = join(bin, `npm-${Date.now()}-${Math.random()}.log`);
  writeFileSync(log, '');
  const options = {
    cwd: REPO_ROOT,
    env: { PATH: `${bin}:${process.env.PATH}`, DATABASE_URL: db.url, NPM_LOG: log, ...env },
  };
  let result: Omit<Run, 'npm'>;
  try {
    const { stdout, stderr } = await promisify(execFile)('sh', args, options);
    result = { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    result = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  return { ...result, npm: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}
const has = (question: string, env: Record<string, string> = {}) =>
  step(['-c', `node docker/stack/db-has.mjs ${question}`], env);

beforeAll(async () => {
  db = await openTestDatabase('stack_steps');
  owner = await db.session();
  bin = mkdtempSync(join(tmpdir(), 'stack-steps-'));
  // npm, recorded: the steps' decisions are what is tested here (db:seed and db:logins have their own tests).
  writeFileSync(join(bin, 'npm'), '#!/bin/sh\necho "$*" >> "$NPM_LOG"\n');
  chmodSync(join(bin, 'npm'), 0o755);
});
afterAll(async () => {
  await db.close();
  rmSync(bin, { recursive: true, force: true });
});

describe('docker/stack/as-owner.sh', () => {
  test('gives the command PGPASSWORD from POSTGRES_PASSWORD_FILE (node-postgres reads it when the URL has none)', async () => {
    const file = join(bin, 'postgres_password');
    writeFileSync(file, 'the-superuser-password');
    const r = await step(['docker/stack/as-owner.sh', 'sh', '-c', 'printf %s "$PGPASSWORD"'], {
      POSTGRES_PASSWORD_FILE: file,
    });
    expect(r).toMatchObject({ code: 0, stdout: 'the-superuser-password' });
  });

  test('refuses to run without the file', async () => {
    const r = await step(['docker/stack/as-owner.sh', 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('POSTGRES_PASSWORD_FILE must name the superuser password file');
  });
});

describe('docker/stack/db-has.mjs, seed.sh and logins.sh', () => {
  test('on an empty database: no pack data and no super admin', async () => {
    for (const q of ['sales', 'funeral', 'super-admin']) {
      expect({ q, code: (await has(q)).code }).toEqual({ q, code: 1 });
    }
    const bad = await has('everything');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage: node docker/stack/db-has.mjs sales|funeral|super-admin');
    const down = await has('sales', { DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/^db-has sales: connect ECONNREFUSED/);
  });

  test('first start: both packs are seeded, the sales data ending today; logins without a super admin: sales and service only', async () => {
    const seed = await step(['docker/stack/seed.sh']);
    expect(seed.code).toBe(0);
    expect(seed.npm).toEqual(['run db:seed -- --pack sales --end-today', 'run db:seed -- --pack funeral --end-today']);
    const logins = await step(['docker/stack/logins.sh', 'matviewops_service']);
    expect(logins.code).toBe(0);
    expect(logins.npm).toEqual(['run db:logins -- --only sales --service-login matviewops_service']);
    expect(logins.stderr).toContain('funeral.users has no super admin yet');
  });

  test('MATVIEWOPS_DEMO_DATA=false seeds nothing; a value it does not know stops the step', async () => {
    expect(await step(['docker/stack/seed.sh'], { MATVIEWOPS_DEMO_DATA: 'false' })).toMatchObject({
      code: 0,
      npm: [],
      stdout: 'demo data: none (MATVIEWOPS_DEMO_DATA=false)\n',
    });
    const odd = await step(['docker/stack/seed.sh'], { MATVIEWOPS_DEMO_DATA: 'yes' });
    expect(odd).toMatchObject({ code: 2, npm: [] });
    expect(odd.stderr).toBe('MATVIEWOPS_DEMO_DATA must be true, false or always, not "yes"\n');
  });

  test('a restart keeps the data: a pack that has data is not seeded again, unless MATVIEWOPS_DEMO_DATA=always', async () => {
    await salesSeeder.seed(owner, { scale: 0.05, seed: 1, endToday: true, progress: () => undefined });
    expect((await has('sales')).code).toBe(0);
    const kept = await step(['docker/stack/seed.sh']);
    expect(kept.npm).toEqual(['run db:seed -- --pack funeral --end-today']);
    expect(kept.stdout).toContain('demo data: the sales pack already has data, kept');
    const again = await step(['docker/stack/seed.sh'], { MATVIEWOPS_DEMO_DATA: 'always' });
    expect(again.npm).toEqual(['run db:seed -- --pack sales --end-today', 'run db:seed -- --pack funeral --end-today']);
  });

  test('with a super admin (the funeral demo data, or PLATFORM_SUPER_ADMIN_USER_ID) every login is made', async () => {
    const chosen = await step(['docker/stack/logins.sh', 'matviewops_service'], {
      PLATFORM_SUPER_ADMIN_USER_ID: '00000000-0000-0000-0000-000000000001',
    });
    expect(chosen.npm).toEqual(['run db:logins -- --service-login matviewops_service']);
    await funeralSeeder.seed(owner, { scale: 0.02, seed: 1, progress: () => undefined });
    expect((await has('funeral')).code).toBe(0);
    expect((await has('super-admin')).code).toBe(0);
    const logins = await step(['docker/stack/logins.sh', 'matviewops_service']);
    expect(logins).toMatchObject({ code: 0, stderr: '', npm: ['run db:logins -- --service-login matviewops_service'] });
    expect((await step(['docker/stack/seed.sh'])).npm).toEqual([]);
  });

  test('logins.sh needs the service login’s name', async () => {
    const r = await step(['docker/stack/logins.sh']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('usage: logins.sh SERVICE_LOGIN_NAME');
    expect(r.npm).toEqual([]);
  });
});
