// Graceful shutdown in-process: a running refresh finishes within the grace period, or its session is
// ended and the engine records the run as abandoned; requests caught mid-way get 503 shutting_down.
// (The real process on SIGTERM: process-shutdown.test.ts.)
import type { Client } from 'pg';
import { installThreeTier, logOf, slowViewSql } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { accepting } from './process';
import { openRaw } from './rawHttp';
import { asAdmin, operatorUrl, READ_SECRET, SECRET_HEADER, startService } from './service';

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

test('while draining, a request on a connection opened before the close gets 503 shutting_down; new connections are refused', async () => {
  const svc = await startService(url, { SHUTDOWN_GRACE_MS: '30000' });
  const r = await svc.post('/api/refresh', { views: ['fx.slow'] }, asAdmin);
  await waitFor(slowRunning, 'the refresh to start');
  // A request already under way (headers begun) when the service is told to stop.
  const early = await openRaw(svc.base);
  early.write('GET /api/views HTTP/1.1\r\nHost: x\r\n');
  const closed = svc.close();
  const port = Number(new URL(svc.base).port);
  await waitFor(async () => !(await accepting(port)), 'the listening socket to close', 2_000);
  early.write(`${SECRET_HEADER}: ${READ_SECRET}\r\n\r\n`);
  const a = await early.answer;
  expect(a.status).toBe(503);
  expect(a.headers).toMatchObject({ 'retry-after': '5', connection: 'close' });
  expect(JSON.parse(a.body)).toEqual({
    error: { code: 'shutting_down', message: 'The service is shutting down; retry shortly.', retryAfter: 5 },
  });
  await closed;
  // Draining did not cut the refresh short.
  expect((await logOf(c, r.body.runId)).map((l) => l.status)).toEqual(['succeeded']);
});
