// Graceful shutdown: a running refresh finishes within the grace period, or its session is ended and
// the engine records the run as abandoned.
import type { Client } from 'pg';
import { installThreeTier, logOf, slowViewSql } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { asAdmin, operatorUrl, startService } from './service';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let url: string;

beforeAll(async () => {
  db = await openTestDatabase('server_shutdown');
  c = await db.session();
  await installThreeTier(c);
  await c.query(slowViewSql(2));
  url = await operatorUrl(db.url);
});
afterAll(() => db?.close());

const slowRunning = async () =>
  (await c.query(`SELECT 1 FROM mv_ops.refresh_log WHERE view_name = 'fx.slow' AND status = 'running'`)).rowCount;

test('within the grace period, close() waits for the running refresh to succeed', async () => {
  const svc = await startService(url, { SHUTDOWN_GRACE_MS: '30000' });
  const r = await svc.post('/api/refresh', { views: ['fx.slow'] }, asAdmin);
  await waitFor(slowRunning, 'the refresh to start');
  await svc.close();
  const run = await c.query(`SELECT status FROM mv_ops.refresh_run WHERE run_id = $1`, [r.body.runId]);
  expect(run.rows[0].status).toBe('succeeded');
  expect((await logOf(c, r.body.runId)).map((l) => l.status)).toEqual(['succeeded']);
});

test('past the grace period the run is ended and recorded abandoned; what was queued is skipped', async () => {
  const svc = await startService(url, { SHUTDOWN_GRACE_MS: '200' });
  // fx.total sits two levels up, so it is still queued while fx.slow runs.
  const r = await svc.post('/api/refresh', { views: ['fx.slow', 'fx.total'], cascade: false }, asAdmin);
  await waitFor(slowRunning, 'the refresh to start');
  await svc.close();
  const run = await c.query(`SELECT status FROM mv_ops.refresh_run WHERE run_id = $1`, [r.body.runId]);
  expect(run.rows[0].status).toBe('failed');
  const slow = (await logOf(c, r.body.runId)).find((l) => l.view_name === 'fx.slow')!;
  expect(slow.status).toBe('failed');
  expect(slow.message).toMatch(/^abandoned: the session \(pid \d+\) running this refresh ended before it finished$/);
  const total = (await logOf(c, r.body.runId)).find((l) => l.view_name === 'fx.total')!;
  expect(total).toMatchObject({ status: 'skipped', message: 'skipped: the run was abandoned' });
});
