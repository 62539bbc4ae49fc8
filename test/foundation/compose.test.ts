// docker-compose.yml cannot be run here (no Docker engine), so its wiring is checked as data: every
// step the stack needs exists, runs in order, and points at files and scripts that are really there.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../harness/runMigrations';

interface Service {
  build?: string | { context: string };
  image?: string;
  command?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  extends?: { file: string; service: string };
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const load = (file: string): ComposeFile => parse(readFileSync(file, 'utf8'));
const rootFile = resolve(REPO_ROOT, 'docker-compose.yml');
const stack = load(rootFile);
const scripts: Record<string, string> = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')).scripts;

/** The Grafana service as Compose resolves it: its extends chain, with each file's relative paths. */
function grafanaChain(): Array<{ dir: string; service: Service }> {
  const chain = [{ dir: REPO_ROOT, service: stack.services.grafana }];
  for (let s = stack.services.grafana, dir = REPO_ROOT; s.extends;) {
    const file = resolve(dir, s.extends.file);
    expect(existsSync(file)).toBe(true);
    s = load(file).services[s.extends.service];
    dir = dirname(file);
    chain.push({ dir, service: s });
  }
  return chain;
}

/** Host directory mounted at `target` in the resolved Grafana service. */
function grafanaMount(target: string): string {
  for (const { dir, service } of grafanaChain()) {
    const mount = service.volumes?.find((v) => v.split(':')[1] === target);
    if (mount) {
      // Links resolved (plugin/provisioning is one); plugin/dist may not be built yet.
      const host = resolve(dir, mount.split(':')[0]);
      return existsSync(host) ? realpathSync(host) : host;
    }
  }
  throw new Error(`nothing is mounted at ${target}`);
}

describe('docker-compose.yml (the stack command)', () => {
  test('PostgreSQL is built from docker/postgres with pg_cron preloaded for the database the stack creates', () => {
    const db = stack.services.db;
    expect(existsSync(resolve(REPO_ROOT, db.build as string, 'Dockerfile'))).toBe(true);
    expect(db.command).toMatch(/shared_preload_libraries=pg_cron/);
    expect(db.command).toContain(`cron.database_name=${db.environment?.POSTGRES_DB}`);
  });

  test('the plugin is built before Grafana starts, with dependencies in a volume rather than the host node_modules', () => {
    const build = stack.services.build;
    expect(build.command).toMatch(/npm ci .*&& npm run build:plugin/);
    expect(scripts['build:plugin']).toBeDefined();
    for (const name of ['build', 'migrate']) {
      expect(stack.services[name].volumes).toContain('node_modules:/app/node_modules');
    }
    expect(stack.volumes).toHaveProperty('node_modules');
  });

  test('migrations run once the database is healthy and the dependencies are installed', () => {
    const migrate = stack.services.migrate;
    expect(migrate.command).toBe('npm run db:migrate');
    expect(scripts['db:migrate']).toBeDefined();
    expect(migrate.environment?.DATABASE_URL).toMatch(/@db:5432\/matview_ops$/);
    expect(migrate.depends_on).toEqual({
      build: { condition: 'service_completed_successfully' },
      db: { condition: 'service_healthy' },
    });
  });

  test('Grafana starts after the build and the migrations, mounting plugin/dist and the top-level provisioning/', () => {
    expect(stack.services.grafana.depends_on).toEqual({
      build: { condition: 'service_completed_successfully' },
      migrate: { condition: 'service_completed_successfully' },
    });
    expect(grafanaMount('/var/lib/grafana/plugins/matviewops-app')).toBe(resolve(REPO_ROOT, 'plugin/dist'));
    expect(grafanaMount('/etc/grafana/provisioning')).toBe(resolve(REPO_ROOT, 'provisioning'));
  });

  test('provisioning enables the app under the id its plugin.json declares', () => {
    const { id } = JSON.parse(readFileSync(resolve(REPO_ROOT, 'plugin/src/plugin.json'), 'utf8'));
    const apps = parse(readFileSync(resolve(REPO_ROOT, 'provisioning/plugins/apps.yaml'), 'utf8')).apps;
    expect(apps).toEqual([expect.objectContaining({ type: id, disabled: false })]);
  });
});
