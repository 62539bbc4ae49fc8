// Configuration is validated at start; `npm run server` refuses to start with a clear message.
// (Stopping on SIGTERM: process-shutdown.test.ts.)
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_VARIABLES, loadConfig } from '../../server/src/config';
import { REPO_ROOT } from '../harness/runMigrations';
import { spawnServer } from './process';
import { ADMIN_SECRET, READ_SECRET } from './service';

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
    ['DATABASE_URL missing', { ...good, DATABASE_URL: undefined }, /^ {2}- DATABASE_URL is not set$/m],
    ['DATABASE_URL not a PostgreSQL URL', { ...good, DATABASE_URL: 'mysql://x' }, /DATABASE_URL must match pattern/],
    ['ADMIN_SECRET missing', { ...good, ADMIN_SECRET: undefined }, /ADMIN_SECRET is not set/],
    ['a short secret', { ...good, READ_SECRET: 'short' }, /READ_SECRET must NOT have fewer than 16 characters/],
    ['equal secrets', { ...good, READ_SECRET: ADMIN_SECRET }, /READ_SECRET and ADMIN_SECRET must differ/],
    ['a port that is not a number', { ...good, PORT: 'eighty' }, /PORT must be integer/],
    ['a port out of range', { ...good, PORT: '70000' }, /PORT must be <= 65535/],
    ['a header name with a space', { ...good, SECRET_HEADER: 'X Secret' }, /SECRET_HEADER must match pattern/],
    ['a JWKS URL without scheme', { ...good, GRAFANA_JWKS_URL: 'grafana:3000/keys' }, /GRAFANA_JWKS_URL must match/],
    ['verification required without keys', { ...good, REQUIRE_VERIFIED_IDENTITY: 'true' }, /needs GRAFANA_JWKS_URL/],
    ['a boolean that is not one', { ...good, TICK_ENABLED: 'maybe' }, /TICK_ENABLED must be boolean/],
    ['a fractional timeout', { ...good, REQUEST_TIMEOUT_MS: '1.5' }, /REQUEST_TIMEOUT_MS must be integer/],
    ['a cap of zero runs', { ...good, MAX_RUNNING_RUNS: '0' }, /MAX_RUNNING_RUNS must be >= 1/],
    ['a negative grace period', { ...good, SHUTDOWN_GRACE_MS: '-1' }, /SHUTDOWN_GRACE_MS must be >= 0/],
    ['a tiny body limit', { ...good, BODY_LIMIT_BYTES: '10' }, /BODY_LIMIT_BYTES must be >= 64/],
    ['an unknown log level', { ...good, LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of: fatal, error, warn/],
  ])('%s is refused', (_what, env, message) => {
    expect(() => loadConfig(env as Record<string, string>)).toThrow(message);
  });

  test('every problem is named at once, one per line, without echoing values', () => {
    const secretUrl = 'mysql://svc:hunter2-password@db/x';
    let message = '';
    try {
      loadConfig({ ...good, DATABASE_URL: secretUrl, PORT: 'x', READ_SECRET: undefined });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'Invalid configuration:',
      '  - READ_SECRET is not set',
      expect.stringMatching(/^ {2}- DATABASE_URL must match pattern/),
      '  - PORT must be integer',
    ]);
    expect(message).not.toMatch(/hunter2/);
  });
});

describe('.env.example', () => {
  const text = readFileSync(resolve(REPO_ROOT, '.env.example'), 'utf8');
  const documented = [...text.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);

  test('documents every variable the service reads, and only those, each with a comment', () => {
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
    for (const name of documented) {
      // Its paragraph (the lines since the last blank one) explains it in a comment.
      const paragraph = text
        .slice(0, text.indexOf(`\n${name}=`))
        .split('\n\n')
        .pop()!;
      expect({ name, explained: paragraph.split('\n').some((l) => l.startsWith('# ')) }).toEqual({
        name,
        explained: true,
      });
    }
  });

  test('is itself a valid configuration, with placeholder secrets only', () => {
    const env = Object.fromEntries(
      [...text.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]] as [string, string])
    );
    const c = loadConfig(env);
    expect(c.readSecret).toMatch(/^replace-with-/);
    expect(c.adminSecret).toMatch(/^replace-with-/);
    expect(new URL(c.databaseUrl).password).toBe('change-me');
  });
});

test('npm run server without configuration exits 2 naming what is missing', async () => {
  const s = spawnServer({ READ_SECRET, ADMIN_SECRET });
  expect((await s.exited).code).toBe(2);
  expect(s.output()).toMatch(/Invalid configuration:\n {2}- DATABASE_URL is not set\n/);
  expect(s.output()).toMatch(/See \.env\.example/);
});
