// The optional scheduler tick: runs the due-views procedure, one instance at a time.
import { Pool, type Client } from 'pg';
import { tickOnce } from '../../server/src/refresh/tick';
import { installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { operatorUrl, startService } from './service';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let url: string;

beforeAll(async () => {
  db = await openTestDatabase('server_tick');
  c = await db.session();
  await installThreeTier(c);
  url = await operatorUrl(db.url);
});
afterAll(() => db?.close());

const silent = { info: () => undefined, warn: () => undefined } as never;

test('a tick is skipped while another instance holds the tick lock, and runs once it is released', async () => {
  const pool = new Pool({ connectionString: url });
  const other = await db.session();
  try {
    await other.query(`SELECT pg_advisory_lock(hashtext('mv_ops.service_tick'))`);
    expect(await tickOnce(pool, silent)).toBe('skipped');
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_run`)).rows[0].n).toBe(0);
    await other.query(`SELECT pg_advisory_unlock(hashtext('mv_ops.service_tick'))`);
    expect(await tickOnce(pool, silent)).toBe('ran');
    const runs = await c.query(`SELECT trigger, requested_by, status FROM mv_ops.refresh_run`);
    expect(runs.rows).toEqual([{ trigger: 'schedule', requested_by: 'scheduler', status: expect.any(String) }]);
  } finally {
    await pool.end();
  }
});

test('with TICK_ENABLED the service refreshes never-populated views on its own', async () => {
  // With no successful refresh on record every view is due again ("never refreshed").
  await c.query(`TRUNCATE mv_ops.refresh_run CASCADE`);
  const svc = await startService(url, { TICK_ENABLED: 'true', TICK_INTERVAL_MS: '1000' });
  try {
    await waitFor(
      async () =>
        (
          await c.query(
            `SELECT 1 FROM mv_ops.refresh_history WHERE view_name = 'fx.daily' AND trigger = 'schedule' AND status = 'succeeded'`
          )
        ).rowCount,
      'a scheduled refresh by the service',
      20_000
    );
  } finally {
    await svc.close();
  }
});
