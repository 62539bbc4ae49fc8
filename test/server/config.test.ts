// Configuration is validated at start; `npm run server` refuses to start with a clear message, and
// stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { loadConfig } from '../../server/src/config';
import { freePort } from '../harness/freePort';
import { REPO_ROOT } from '../harness/runMigrations';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { ADMIN_SECRET, operatorUrl, READ_SECRET } from './service';

jest.setTimeout(60_000);

const good = { DATABASE_URL: 'postgresql://svc@localhost:5432/db', READ_SECRET, ADMIN_SECRET };

describe('loadConfig', () => {
  test('defaults fill in what is not set; numbers and booleans are parsed', () => {
    const c = loadConfig({ ...good, PORT: '9000', TICK_ENABLED: 'true', REFRESH_MIN_INTERVAL_SECONDS: '' });
    expect(c).toMatchObject({
      port: 9000,
      tickEnabled: true,
      minRefreshIntervalSeconds: 60,
      maxRunningRuns: 4,
      secretHeader: 'x-matview-ops-secret',
    });
  });

  test.each([
    ['DATABASE_URL missing', { ...good, DATABASE_URL: undefined }, /must have required property 'DATABASE_URL'/],
    ['DATABASE_URL not a PostgreSQL URL', { ...good, DATABASE_URL: 'mysql://x' }, /DATABASE_URL must match pattern/],
    ['a short secret', { ...good, READ_SECRET: 'short' }, /READ_SECRET must NOT have fewer than 16 characters/],
    ['equal secrets', { ...good, READ_SECRET: ADMIN_SECRET }, /READ_SECRET and ADMIN_SECRET must differ/],
    ['a port that is not a number', { ...good, PORT: 'eighty' }, /PORT must be integer/],
    ['a port out of range', { ...good, PORT: '70000' }, /PORT must be <= 65535/],
    ['verification required without keys', { ...good, REQUIRE_VERIFIED_IDENTITY: 'true' }, /needs GRAFANA_JWKS_URL/],
    ['a boolean that is not one', { ...good, TICK_ENABLED: 'maybe' }, /TICK_ENABLED must be boolean/],
  ])('%s is refused', (_what, env, message) => {
    expect(() => loadConfig(env as Record<string, string>)).toThrow(message);
  });
});

function server(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO_ROOT, 'server/src/server.ts')], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, output: () => out };
}

test('npm run server without configuration exits 2 naming what is missing', async () => {
  const s = server({ READ_SECRET, ADMIN_SECRET });
  expect(await s.exited).toBe(2);
  expect(s.output()).toMatch(/Invalid configuration: must have required property 'DATABASE_URL'/);
  expect(s.output()).toMatch(/See \.env\.example/);
});

describe('a started server', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await openTestDatabase('server_process');
  });
  afterAll(() => db?.close());

  test('answers /healthz and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const s = server({
      DATABASE_URL: await operatorUrl(db.url),
      READ_SECRET,
      ADMIN_SECRET,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    });
    try {
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200,
        'the server to answer'
      );
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    } finally {
      s.child.kill('SIGKILL');
    }
  });
});
