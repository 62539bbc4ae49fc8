import { execFileSync } from 'node:child_process';
import { Client } from 'pg';
import { runMigrationCli } from '../harness/runMigrations';
import { ENV, requireUrl, withDatabase } from '../harness/testDatabase';

jest.setTimeout(180_000);

const PG_DUMP = process.env.PG_BIN_DIR ? `${process.env.PG_BIN_DIR}/pg_dump` : '/usr/lib/postgresql/15/bin/pg_dump';
const schemaDump = (url: string): string =>
  execFileSync(
    PG_DUMP, // A fixed restrict key: the default is random per dump, which would make equal schemas differ.
    ['--schema-only', '--no-owner', '--restrict-key=matviewops', url],
    { maxBuffer: 64 * 1024 * 1024 }
  ).toString();

describe('npm run db:migrate', () => {
  const dbName = `t_migrate_twice_${process.pid}`;
  const serverUrl = requireUrl(ENV.main);
  const url = withDatabase(serverUrl, dbName);

  beforeAll(async () => {
    const c = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
  });

  afterAll(async () => {
    const c = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  });

  test('applies every migration on an empty database, and a second run changes nothing', async () => {
    const first = await runMigrationCli(url);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied \d+ migration\(s\)\./);
    const afterFirst = schemaDump(url);

    const second = await runMigrationCli(url);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Database is up to date.');
    expect(schemaDump(url)).toBe(afterFirst);
  });

  test('an unreachable server gets one clear sentence, not a stack trace', async () => {
    const result = await runMigrationCli('postgresql://nobody@127.0.0.1:1/none');
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Cannot connect to PostgreSQL at 127.0.0.1:1/none: connection refused. Is the server running and listening there?'
    );
  });

  test('a missing database is named with what to do', async () => {
    const result = await runMigrationCli(withDatabase(serverUrl, 'no_such_db'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the database does not exist');
    expect(result.stderr).toContain('createdb');
  });
});
