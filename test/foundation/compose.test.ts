// docker-compose.yml cannot be run here (no Docker engine), so its wiring is checked as data: every step the stack
// needs exists and starts in order, a restart keeps data and secrets, and the secrets step is really run.
// How the parts agree with each other (variables, uids, ids, paths, versions, URLs): consistency.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../harness/runMigrations';
import { composeValue, loadStack, type Service, type Stack } from './consistency-model';

const scripts: Record<string, string> = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')).scripts;
const raw = readFileSync(resolve(REPO_ROOT, 'docker-compose.yml'), 'utf8');
let stack: Stack;
let services: Record<string, Service>;
beforeAll(() => {
  stack = loadStack(REPO_ROOT);
  services = stack.compose.services;
});
afterAll(() => rmSync(stack.secrets.dir, { recursive: true, force: true }));

const command = (s: Service): string => (Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? ''));
const SECRETS = '/run/secrets/matviewops';

describe('docker-compose.yml (the stack command)', () => {
  test('the steps, each starting when the one before is done or healthy', () => {
    const order = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.depends_on ?? {}]));
    const done = { condition: 'service_completed_successfully' };
    const healthy = { condition: 'service_healthy' };
    expect(order).toEqual({
      secrets: {},
      db: { secrets: done },
      build: {},
      migrate: { build: done, db: healthy },
      seed: { migrate: done },
      logins: { seed: done },
      'refresh-service': { logins: done },
      grafana: { build: done, logins: done, 'refresh-service': healthy },
    });
    // What is waited on for health has a health check; what is waited on for completion ends (no restart policy).
    for (const deps of Object.values(order)) {
      for (const [dep, { condition }] of Object.entries(deps)) {
        if (condition === 'service_healthy') {
          expect({ dep, healthcheck: Boolean(services[dep].healthcheck) }).toEqual({ dep, healthcheck: true });
        } else {
          expect({ dep, restart: (services[dep] as { restart?: string }).restart }).toEqual({
            dep,
            restart: undefined,
          });
        }
      }
    }
  });

  test('every npm script a step runs exists in package.json', () => {
    const used = Object.values(services).flatMap((s) => [
      ...command(s).matchAll(/npm(?:', ')? ?run(?:', ')? ?([\w:-]+)/g),
    ]);
    const inScripts = ['seed.sh', 'logins.sh'].flatMap((f) => [
      ...readFileSync(join(REPO_ROOT, 'docker/stack', f), 'utf8').matchAll(/npm run ([\w:-]+)/g),
    ]);
    const names = [...used, ...inScripts].map((m) => m[1]);
    expect(new Set(names)).toEqual(new Set(['build:plugin', 'db:migrate', 'db:seed', 'db:logins', 'server']));
    names.forEach((n) => expect(scripts).toHaveProperty(n));
  });

  test('PostgreSQL: built from docker/postgres, pg_cron preloaded for the database it creates, healthy only over TCP', () => {
    const db = services.db;
    expect(db.build).toBe('./docker/postgres');
    expect(readFileSync(join(REPO_ROOT, 'docker/postgres/Dockerfile'), 'utf8')).toMatch(
      /postgresql-15-cron postgresql-15-postgis-3/
    );
    expect(db.command).toMatch(/shared_preload_libraries=pg_cron/);
    expect(db.command).toContain(`cron.database_name=${stack.env.db.POSTGRES_DB}`);
    expect(db.healthcheck?.test).toEqual([
      'CMD',
      'pg_isready',
      '-h',
      '127.0.0.1',
      '-U',
      'postgres',
      '-d',
      'matview_ops',
    ]);
    expect(stack.env.db.POSTGRES_PASSWORD_FILE).toBe(`${SECRETS}/postgres_password`);
    expect(stack.env.db).not.toHaveProperty('POSTGRES_PASSWORD');
  });

  test('the steps that change the database run as the superuser with its password from the secrets volume', () => {
    for (const name of ['migrate', 'seed', 'logins']) {
      expect(command(services[name])).toMatch(/^sh docker\/stack\/as-owner\.sh /);
      expect(stack.env[name]).toMatchObject({
        DATABASE_URL: 'postgresql://postgres@db:5432/matview_ops',
        POSTGRES_PASSWORD_FILE: `${SECRETS}/postgres_password`,
      });
    }
    expect(command(services.seed)).toMatch(/docker\/stack\/seed\.sh$/);
    expect(stack.env.seed.MATVIEWOPS_DEMO_DATA).toBe('true');
    expect(composeValue(services.seed.environment?.MATVIEWOPS_DEMO_DATA, { MATVIEWOPS_DEMO_DATA: 'false' })).toBe(
      'false'
    );
  });

  test('the plugin is built before Grafana starts, with dependencies in a volume rather than the host node_modules', () => {
    expect(services.build.command).toMatch(/npm ci .*&& npm run build:plugin/);
    for (const name of ['build', 'migrate', 'seed', 'logins', 'refresh-service']) {
      expect(services[name].volumes).toEqual(expect.arrayContaining(['.:/app', 'node_modules:/app/node_modules']));
    }
  });

  test('the refresh service: npm run server, on 0.0.0.0, healthy when /readyz answers 200, identities required', () => {
    const s = services['refresh-service'];
    expect(command(s)).toBe('npm run server');
    expect(s.ports).toBeUndefined(); // reachable from Grafana's container only
    expect(stack.env['refresh-service']).toMatchObject({
      HOST: '0.0.0.0',
      REQUIRE_VERIFIED_IDENTITY: 'true',
      GRAFANA_JWKS_URL: 'http://grafana:3000/api/signing-keys/keys',
      READ_SECRET_FILE: `${SECRETS}/read_secret`,
      ADMIN_SECRET_FILE: `${SECRETS}/admin_secret`,
      DATABASE_PASSWORD_FILE: `${SECRETS}/matviewops_service_password`,
      // Blank, so a developer's .env in the repository (read by npm run server) cannot set them a second way.
      READ_SECRET: '',
      ADMIN_SECRET: '',
      DATABASE_PASSWORD: '',
    });
    expect(s.healthcheck?.test.join(' ')).toContain("fetch('http://127.0.0.1:8787/readyz')");
  });

  test('Grafana: a pinned 13.2 image, the app, provisioning, its home dashboard and ID forwarding', () => {
    expect(services.grafana.image).toMatch(/^grafana\/grafana:13\.2\.\d+$/);
    expect(services.grafana.user).toBe('472:0');
    expect(stack.env.grafana).toMatchObject({
      GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS: 'matviewops-app,matviewops-refresh-panel',
      GF_FEATURE_TOGGLES_ENABLE: 'idForwarding',
      GF_SECURITY_ACTIONS_ALLOW_POST_URL: '/api/plugin-proxy/matviewops-app/api/refresh',
      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH:
        '/etc/grafana/provisioning/dashboards/Operations/matviewops-operations.json',
    });
    expect(services.grafana.volumes).toEqual(
      expect.arrayContaining([
        './plugin/dist:/var/lib/grafana/plugins/matviewops-app:ro',
        './provisioning:/etc/grafana/provisioning:ro',
      ])
    );
  });

  test('secrets reach Grafana as $__file{} references, escaped from Compose as $$', () => {
    const fileRefs = Object.entries(stack.env.grafana).filter(([, v]) => v.includes('$__file{'));
    expect(fileRefs.map(([k]) => k).sort()).toEqual([
      'MATVIEWOPS_ADMIN_SECRET',
      'MATVIEWOPS_PLATFORM_DB_PASSWORD',
      'MATVIEWOPS_READ_SECRET',
      'MATVIEWOPS_SALES_DB_PASSWORD',
    ]);
    // An unescaped `$__file` would be Compose's own variable `__file`, expanded to nothing.
    const code = raw.split('\n').filter((line) => !line.trim().startsWith('#'));
    expect(code.filter((line) => /(^|[^$])\$__/.test(line))).toEqual([]);
  });

  test('a restart keeps data and secrets: named volumes for the database, the secrets and Grafana', () => {
    expect(Object.keys(stack.compose.volumes ?? {}).sort()).toEqual([
      'grafana_data',
      'node_modules',
      'pgdata',
      'secrets',
    ]);
    expect(services.db.volumes).toContain('pgdata:/var/lib/postgresql/data');
    expect(services.grafana.volumes).toContain('grafana_data:/var/lib/grafana');
    for (const [name, s] of Object.entries(services)) {
      const mount = (s.volumes ?? []).find((v) => v.startsWith('secrets:'));
      if (mount) {
        // Only the secrets step writes the volume; everyone else reads it.
        expect({ name, mount }).toEqual({ name, mount: `secrets:${SECRETS}${name === 'secrets' ? '' : ':ro'}` });
      }
    }
  });

  test('published ports listen on 127.0.0.1 only', () => {
    const published = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(published.length).toBeGreaterThan(0);
    published.forEach((p) => expect(p).toMatch(/^127\.0\.0\.1:/));
  });
});

describe('the secrets step (docker/secrets/generate.sh, run here for real)', () => {
  let dir: string;
  const run = () =>
    execFileSync('sh', [join(REPO_ROOT, 'docker/secrets/generate.sh')], {
      env: { PATH: process.env.PATH, SECRETS_DIR: dir },
      encoding: 'utf8',
    });
  const contents = () => Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'secrets-step-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the first start makes every password and secret: 64 hex characters, no newline, not writable', () => {
    expect(run().trim().split('\n')).toHaveLength(6);
    const made = contents();
    expect(Object.keys(made).sort()).toEqual([
      'admin_secret',
      'grafana_platform_password',
      'grafana_sales_password',
      'matviewops_service_password',
      'postgres_password',
      'read_secret',
    ]);
    for (const [name, value] of Object.entries(made)) {
      expect({ name, value: /^[0-9a-f]{64}$/.test(value) }).toEqual({ name, value: true });
      expect({ name, mode: (statSync(join(dir, name)).mode & 0o777).toString(8) }).toEqual({ name, mode: '440' });
    }
    expect(new Set(Object.values(made)).size).toBe(6);
    if (process.getuid?.() === 0) {
      // PostgreSQL's image reads its password as uid 999; the rest are root's, readable by group 0 (Grafana's).
      expect(statSync(join(dir, 'postgres_password')).uid).toBe(999);
      expect(statSync(join(dir, 'read_secret'))).toMatchObject({ uid: 0, gid: 0 });
    }
  });

  test('a restart changes nothing', () => {
    const before = contents();
    expect(run()).toBe(`secrets: every secret is already in ${dir}, nothing changed\n`);
    expect(contents()).toEqual(before);
  });

  test('a missing or empty file is made again, the others kept', () => {
    const before = contents();
    unlinkSync(join(dir, 'read_secret'));
    rmSync(join(dir, 'admin_secret'));
    writeFileSync(join(dir, 'admin_secret'), '');
    expect(run()).toBe('secrets: generated read_secret\nsecrets: generated admin_secret\n');
    const after = contents();
    expect(after.read_secret).not.toBe(before.read_secret);
    expect(after.admin_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(after.postgres_password).toBe(before.postgres_password);
  });
});
