// What a newcomer sees when a prerequisite is missing: the exact package to install, never a stack trace.
import { Client } from 'pg';
import { startCluster, type Cluster } from '../harness/cluster';
import { installWithoutExtension, type PartialInstall } from '../harness/installWithoutExtension';
import { APT_INSTALL_LINE, findPostgresInstall, REQUIRED_FILES } from '../harness/postgresInstall';
import { runMigrationCli } from '../harness/runMigrations';

jest.setTimeout(120_000);

describe('npm run db:migrate against a server without PostGIS', () => {
  let install: PartialInstall;
  let cluster: Cluster;

  beforeAll(async () => {
    install = installWithoutExtension('postgis');
    cluster = await startCluster({ cronDatabase: 'postgres', binDir: install.binDir });
  });
  afterAll(() => {
    cluster?.stop();
    install?.remove();
  });

  test('names the package to install and changes nothing in the database', async () => {
    const url = cluster.url('postgres');
    const result = await runMigrationCli(url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The PostGIS extension is not installed on the server at 127.0.0.1:');
    expect(result.stderr).toContain('apt-get install -y postgresql-15-postgis-3');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query(`SELECT nspname FROM pg_namespace WHERE nspname IN ('mv_ops', 'pos', 'funeral')`);
      expect(rows).toEqual([]);
    } finally {
      await c.end();
    }
  });
});

describe('the test harness without the server packages', () => {
  test('no PostgreSQL 15 binaries: fails at once with the apt-get line for all three packages', () => {
    expect(() => findPostgresInstall(['/nonexistent/postgresql/15/bin'])).toThrow(APT_INSTALL_LINE);
  });

  test('a missing extension is named with its package', () => {
    const withoutCron = REQUIRED_FILES.map((f) =>
      f.what === 'pg_cron' ? { ...f, path: '/nonexistent/pg_cron.so' } : f
    );
    expect(() => findPostgresInstall(undefined, withoutCron)).toThrow(
      /Missing PostgreSQL extension\(s\): pg_cron \(\/nonexistent\/pg_cron\.so\)\.\nInstall them with:\n {2}apt-get install -y postgresql-15-cron\n/
    );
  });
});
