import { Client } from 'pg';
import { ENV, requireUrl } from '../harness/testDatabase';

describe('the test database', () => {
  test('has pg_cron and postgis installed, pg_cron preloaded and pointed at it', async () => {
    const client = new Client({ connectionString: requireUrl(ENV.main) });
    await client.connect();
    try {
      const { rows } = await client.query<{ extname: string }>(
        `SELECT extname FROM pg_extension WHERE extname IN ('pg_cron', 'postgis') ORDER BY extname`
      );
      expect(rows.map((r) => r.extname)).toEqual(['pg_cron', 'postgis']);
      const postgis = await client.query<{ v: string }>(`SELECT postgis_lib_version() AS v`);
      expect(postgis.rows[0].v).toMatch(/^3\./);
      const cron = await client.query<{ db: string; current: string }>(
        `SELECT current_setting('cron.database_name') AS db, current_database() AS current`
      );
      expect(cron.rows[0].db).toBe(cron.rows[0].current);
    } finally {
      await client.end();
    }
  });
});
