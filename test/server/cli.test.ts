// npm run mv -- status | refresh: the operator command line, run as a real process.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import type { Client } from 'pg';
import { installThreeTier } from '../fixtures/threeTier';
import { REPO_ROOT } from '../harness/runMigrations';
import { openTestDatabase, type TestDb } from '../harness/sql';
import { operatorUrl } from './service';

jest.setTimeout(120_000);

let db: TestDb;
let c: Client;
let url: string;

beforeAll(async () => {
  db = await openTestDatabase('server_cli');
  c = await db.session();
  await installThreeTier(c);
  url = await operatorUrl(db.url);
});
afterAll(() => db?.close());

function mv(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return mvWith({}, ...args);
}

function mvWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', resolve(REPO_ROOT, 'server/src/cli/mv.ts'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: url, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    );
  });
}

test('status prints a table of the views', async () => {
  const r = await mv('status');
  expect(r.stdout).toMatch(/^VIEW\s+PACK\s+STATE\s+MODE\s+LAG/m);
  expect(r.stdout).toMatch(/^fx\.daily\s+fx\s+never_refreshed\s/m);
  expect(r.stdout).toMatch(/scheduler: none/);
});

test('refresh <pack> --wait executes the run with progress and reports the result', async () => {
  const r = await mv('refresh', 'fx', '--wait');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^Started run \d+ \(pack fx\)\./m);
  // Not a terminal: one line per change.
  expect(r.stdout).toMatch(/^fx\.total: succeeded in \d+\.\ds \(full\)$/m);
  expect(r.stdout).toMatch(/^run \d+ succeeded: 4 succeeded, 0 failed, 0 skipped$/m);
  const log = await c.query(
    `SELECT DISTINCT trigger, requested_by FROM mv_ops.refresh_history WHERE view_name = 'fx.daily'`
  );
  expect(log.rows).toEqual([{ trigger: 'manual', requested_by: expect.stringMatching(/ \(cli\)$/) }]);
  expect((await mv('status')).stdout).toMatch(/^fx\.daily\s+fx\s+fresh\s+full\s/m);
});

test('refresh <view> without --wait still finishes the run it started (a run belongs to its session)', async () => {
  const r = await mv('refresh', 'other_mv');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^run \d+ succeeded: 1 succeeded/m);
});

test('a failing view makes the command fail, naming the cause', async () => {
  await c.query(`INSERT INTO fx.sale (day, amount, qty) VALUES ('2025-02-01', 1, 0)`);
  try {
    const r = await mv('refresh', 'fx.daily', '--wait');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^fx\.daily: failed .*division by zero/m);
    expect(r.stdout).toMatch(/run \d+ failed: 0 succeeded, 1 failed, 2 skipped/);
  } finally {
    await c.query(`DELETE FROM fx.sale WHERE qty = 0`);
  }
});

test.each([
  [['refresh', 'fx.nope'], 1, /unknown view "fx\.nope"/],
  [['refresh'], 2, /usage: npm run mv/],
  [['bogus'], 2, /usage: npm run mv/],
])('mv %j exits %i with a clear message', async (args, code, message) => {
  const r = await mv(...args);
  expect(r.code).toBe(code);
  expect(r.stderr).toMatch(message);
});

test('MAX_RUNNING_RUNS empty means the default (as in .env.example); malformed is a usage error', async () => {
  const ok = await mvWith({ MAX_RUNNING_RUNS: '' }, 'refresh', 'other_mv');
  expect({ code: ok.code, stdout: ok.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/succeeded/) });
  const bad = await mvWith({ MAX_RUNNING_RUNS: 'four' }, 'refresh', 'other_mv');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/MAX_RUNNING_RUNS must be a whole number/);
});
