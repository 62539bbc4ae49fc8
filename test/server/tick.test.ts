// The optional scheduler tick: runs the due-views procedure, one instance at a time.
import { Pool, type Client } from 'pg';
import { tickOnce } from '../../server/src/refresh/tick';
import { installThreeTier, slowViewSql } from '../fixtures/threeTier';
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

test('at shutdown a scheduled refresh past the grace period is ended and later recorded abandoned', async () => {
  await c.query(slowViewSql(6));
  const svc = await startService(url, { TICK_ENABLED: 'true', TICK_INTERVAL_MS: '1000', SHUTDOWN_GRACE_MS: '300' });
  await waitFor(
    async () =>
      (
        await c.query(
          `SELECT 1 FROM mv_ops.refresh_log WHERE view_name = 'fx.slow' AND status = 'running' AND trigger = 'schedule'`
        )
      ).rowCount,
    'the scheduled refresh of fx.slow to start',
    20_000
  );
  const t0 = Date.now();
  await svc.close();
  expect(Date.now() - t0).toBeLessThan(3_000);
  await waitFor(
    async () => (await c.query(`SELECT mv_ops.reap_abandoned() AS n`)).rows[0].n > 0,
    'the run to be reaped'
  );
  const { rows } = await c.query(
    `SELECT status, message FROM mv_ops.refresh_log WHERE view_name = 'fx.slow' ORDER BY log_id DESC LIMIT 1`
  );
  expect(rows[0]).toEqual({ status: 'failed', message: expect.stringMatching(/^abandoned: /) });
});
