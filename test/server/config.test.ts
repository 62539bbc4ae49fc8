// Configuration is validated at start; `npm run server` refuses to start with a clear message.
// (Stopping on SIGTERM: process-shutdown.test.ts.)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
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
    [
      'DATABASE_URL missing',
      { ...good, DATABASE_URL: undefined },
      /^ {2}- DATABASE_URL \(or DATABASE_URL_FILE\) is not set$/m,
    ],
    ['DATABASE_URL not a PostgreSQL URL', { ...good, DATABASE_URL: 'mysql://x' }, /DATABASE_URL must match pattern/],
    ['ADMIN_SECRET missing', { ...good, ADMIN_SECRET: undefined }, /ADMIN_SECRET \(or ADMIN_SECRET_FILE\) is not set/],
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
      '  - READ_SECRET (or READ_SECRET_FILE) is not set',
      expect.stringMatching(/^ {2}- DATABASE_URL must match pattern/),
      '  - PORT must be integer',
    ]);
    expect(message).not.toMatch(/hunter2/);
  });
});

describe('NAME_FILE variants (Docker and systemd credentials)', () => {
  let dir: string;
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'config-files-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('READ_SECRET_FILE, ADMIN_SECRET_FILE and DATABASE_URL_FILE are read, the final newline dropped', () => {
    const c = loadConfig({
      DATABASE_URL_FILE: file('url', `${good.DATABASE_URL}\n`),
      READ_SECRET_FILE: file('read', `${READ_SECRET}\n`),
      ADMIN_SECRET_FILE: file('admin', `${ADMIN_SECRET}\r\n`),
    });
    expect(c).toMatchObject({ databaseUrl: good.DATABASE_URL, readSecret: READ_SECRET, adminSecret: ADMIN_SECRET });
  });

  test('only one final newline is dropped: the rest of the content is the value, spaces included', () => {
    const c = loadConfig({ ...good, READ_SECRET: undefined, READ_SECRET_FILE: file('spaced', ` ${READ_SECRET}\n\n`) });
    expect(c.readSecret).toBe(` ${READ_SECRET}\n`);
  });

  test('DATABASE_PASSWORD(_FILE) goes into a DATABASE_URL without one, percent-encoded', () => {
    const password = 'p@ss:w/rd%41 #?&';
    const c = loadConfig({
      ...good,
      DATABASE_URL: 'postgresql://svc@db:5432/matview_ops',
      DATABASE_PASSWORD_FILE: file('db', `${password}\n`),
    });
    // As node-postgres reads it (a Client parses its URL when made; nothing connects): the same login, host and
    // database, and exactly the password in the file.
    const parsed = (new Client({ connectionString: c.databaseUrl }) as unknown as { connectionParameters: object })
      .connectionParameters;
    expect(parsed).toMatchObject({
      user: 'svc',
      host: 'db',
      port: 5432,
      database: 'matview_ops',
      password,
    });
    expect(loadConfig({ ...good, DATABASE_PASSWORD: password }).databaseUrl).toMatch(
      /^postgresql:\/\/svc:[^@]+@localhost/
    );
  });

  test.each([
    [
      'NAME and NAME_FILE both set',
      () => ({ ...good, READ_SECRET_FILE: file('r2', READ_SECRET) }),
      /^ {2}- READ_SECRET and READ_SECRET_FILE are both set: give one of them$/m,
    ],
    [
      'a file that does not exist',
      () => ({ ...good, ADMIN_SECRET: undefined, ADMIN_SECRET_FILE: join(dir, 'missing') }),
      /^ {2}- ADMIN_SECRET_FILE: cannot read \/.+\/missing \(ENOENT\)$/m,
    ],
    [
      'a directory instead of a file',
      () => ({ ...good, ADMIN_SECRET: undefined, ADMIN_SECRET_FILE: dir }),
      /ADMIN_SECRET_FILE: cannot read .* \(EISDIR\)/,
    ],
    [
      'an empty file',
      () => ({ ...good, READ_SECRET: undefined, READ_SECRET_FILE: file('empty', '\n') }),
      /READ_SECRET_FILE: .*empty is empty/,
    ],
    [
      'a file holding a short secret',
      () => ({ ...good, READ_SECRET: undefined, READ_SECRET_FILE: file('short', 'short\n') }),
      /READ_SECRET must NOT have fewer than 16 characters/,
    ],
    [
      'a password in both DATABASE_URL and DATABASE_PASSWORD',
      () => ({ ...good, DATABASE_URL: 'postgresql://svc:pw@db/x', DATABASE_PASSWORD: 'other' }),
      /DATABASE_URL carries a password and DATABASE_PASSWORD is set/,
    ],
    [
      'DATABASE_PASSWORD with a socket URL that cannot hold one',
      () => ({ ...good, DATABASE_URL: 'postgresql:///x?host=/run/postgresql', DATABASE_PASSWORD: 'pw-pw-pw-pw' }),
      /DATABASE_PASSWORD needs a DATABASE_URL with a host name/,
    ],
  ])('%s is refused', (_what, env, message) => {
    expect(() => loadConfig(env() as Record<string, string>)).toThrow(message);
  });

  test('an unreadable file is named once (not also as "not set"), with the other problems, and no value is echoed', () => {
    let message = '';
    try {
      loadConfig({
        ...good,
        READ_SECRET: undefined,
        READ_SECRET_FILE: join(dir, 'nope'),
        ADMIN_SECRET_FILE: file('a2', ADMIN_SECRET),
        PORT: 'x',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'Invalid configuration:',
      `  - READ_SECRET_FILE: cannot read ${join(dir, 'nope')} (ENOENT)`,
      '  - ADMIN_SECRET and ADMIN_SECRET_FILE are both set: give one of them',
      '  - PORT must be integer',
    ]);
    expect(message).not.toContain(ADMIN_SECRET);
  });

  test('every NAME_FILE is a variable the service reads', () => {
    for (const name of ['DATABASE_URL_FILE', 'DATABASE_PASSWORD_FILE', 'READ_SECRET_FILE', 'ADMIN_SECRET_FILE']) {
      expect(CONFIG_VARIABLES).toContain(name);
    }
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
  expect(s.output()).toMatch(/Invalid configuration:\n {2}- DATABASE_URL \(or DATABASE_URL_FILE\) is not set\n/);
  expect(s.output()).toMatch(/See \.env\.example/);
});

describe('npm run server with secrets in files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'server-files-'));
    writeFileSync(join(dir, 'read_secret'), `${READ_SECRET}\n`);
    writeFileSync(join(dir, 'admin_secret'), ADMIN_SECRET);
    writeFileSync(join(dir, 'db_password'), 'service-db-password');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('starts from READ_SECRET_FILE, ADMIN_SECRET_FILE and DATABASE_PASSWORD_FILE (as the Compose stack runs it)', async () => {
    const s = spawnServer({
      // Nothing listens on port 1: the service starts anyway and /healthz answers (readiness is /readyz's job).
      DATABASE_URL: 'postgresql://matviewops_service@127.0.0.1:1/matview_ops',
      DATABASE_PASSWORD_FILE: join(dir, 'db_password'),
      READ_SECRET_FILE: join(dir, 'read_secret'),
      ADMIN_SECRET_FILE: join(dir, 'admin_secret'),
      PORT: '0',
    });
    try {
      let url: string | undefined;
      for (let i = 0; i < 200 && !url; i++) {
        url = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())?.[1];
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(url).toBeDefined();
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      // The read secret from the file opens the read routes (the database being down is the only problem).
      const views = await fetch(`${url}/api/views`, { headers: { 'X-Matview-Ops-Secret': READ_SECRET } });
      expect(views.status).toBe(503);
      const refused = await fetch(`${url}/api/views`, { headers: { 'X-Matview-Ops-Secret': 'not-the-read-secret' } });
      expect(refused.status).toBe(401);
      expect(s.output()).not.toContain('service-db-password');
    } finally {
      // SIGTERM: tsx passes it on to the service, which stops (SIGKILL would orphan the service under tsx).
      s.child.kill('SIGTERM');
      await s.exited;
    }
  });

  test('a variable given both ways stops it with exit code 2 naming both', async () => {
    const s = spawnServer({
      DATABASE_URL: 'postgresql://svc@127.0.0.1:1/db',
      READ_SECRET,
      READ_SECRET_FILE: join(dir, 'read_secret'),
      ADMIN_SECRET_FILE: join(dir, 'admin_secret'),
    });
    expect((await s.exited).code).toBe(2);
    expect(s.output()).toMatch(/ {2}- READ_SECRET and READ_SECRET_FILE are both set: give one of them\n/);
  });
});
