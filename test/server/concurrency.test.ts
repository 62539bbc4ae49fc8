// One refresh for many identical requests, across two service instances; the per-view minimum
// interval; the cap on running runs. (Idempotency-Key: idempotency.test.ts.)
import type { Client } from 'pg';
import { installThreeTier, logOf, slowViewSql } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { asAdmin, asReader, operatorUrl, startService, type Service } from './service';

jest.setTimeout(90_000);

let db: TestDb;
let c: Client;
let url: string;
let a: Service;
let b: Service;

beforeAll(async () => {
  db = await openTestDatabase('server_concurrency');
  c = await db.session();
  await installThreeTier(c);
  // Long enough that all 100 requests are decided while it still runs, even on a loaded machine.
  await c.query(slowViewSql(5));
  url = await operatorUrl(db.url);
  [a, b] = await Promise.all([startService(url), startService(url)]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await db?.close();
});

const finished = (svc: Service, id: number) => async () => {
  const r = await svc.get(`/api/runs/${id}`, asReader);
  return r.body.status !== 'running' ? r.body : undefined;
};

test('100 concurrent requests for one view, split over two instances: one refresh, one run id for all', async () => {
  const replies = await Promise.all(
    Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).post('/api/refresh', { views: ['fx.slow'] }, asAdmin))
  );
  expect(replies.map((r) => r.status)).toEqual(Array(100).fill(202));
  const ids = new Set(replies.map((r) => r.body.runId));
  expect(ids.size).toBe(1);
  const [runId] = [...ids];
  const outcomes = replies.map((r) => r.body.outcome).sort();
  expect(outcomes.filter((o) => o === 'started')).toHaveLength(1);
  expect(outcomes.filter((o) => o === 'joined')).toHaveLength(99);

  const run = await waitFor(finished(a, runId), 'the run to finish', 30_000);
  expect(run).toMatchObject({ status: 'succeeded', counts: { succeeded: 1, failed: 0, skipped: 0 } });
  const attempts = (await logOf(c)).filter((l) => l.view_name === 'fx.slow');
  expect(attempts).toHaveLength(1);
  const asked = await c.query(
    `SELECT outcome, count(*)::int AS n FROM mv_ops.refresh_request WHERE run_id = $1 GROUP BY 1 ORDER BY 1`,
    [runId]
  );
  expect(asked.rows).toEqual([
    { outcome: 'joined', n: 99 },
    { outcome: 'started', n: 1 },
  ]);
});

test('a request for more than the running run covers starts its own run; its copy of the running view is skipped', async () => {
  const first = await a.post('/api/refresh', { views: ['fx.slow'] }, asAdmin);
  await waitFor(
    async () =>
      (await finished(a, first.body.runId)()) ||
      (await a.get(`/api/runs/${first.body.runId}`, asReader)).body.counts.running,
    'the slow refresh to start'
  );
  const wider = await b.post('/api/refresh', { views: ['fx.slow', 'fx.other_mv'] }, asAdmin);
  expect(wider.status).toBe(202);
  expect(wider.body.outcome).toBe('started');
  expect(wider.body.runId).not.toBe(first.body.runId);
  const run = await waitFor(finished(b, wider.body.runId), 'the wider run to finish', 30_000);
  const slow = run.steps.find((s: { view: string }) => s.view === 'fx.slow');
  expect(slow).toMatchObject({ status: 'skipped', message: `already being refreshed by run ${first.body.runId}` });
  await waitFor(finished(a, first.body.runId), 'the first run to finish', 30_000);
});

describe('protection', () => {
  test('within the minimum interval a repeat gets the recent run back; a request it does not cover is 429 with Retry-After', async () => {
    const strict = await startService(url, { REFRESH_MIN_INTERVAL_SECONDS: '60' });
    try {
      const first = await strict.post('/api/refresh', { views: ['fx.daily'], cascade: false }, asAdmin);
      expect(first.body.outcome).toBe('started');
      await waitFor(finished(strict, first.body.runId), 'the run to finish');
      const repeat = await strict.post('/api/refresh', { views: ['fx.daily'], cascade: false }, asAdmin);
      expect(repeat.body).toMatchObject({ runId: first.body.runId, outcome: 'recent' });
      const wider = await strict.post('/api/refresh', { views: ['fx.daily', 'fx.other_mv'], cascade: false }, asAdmin);
      expect(wider.status).toBe(429);
      expect(wider.body.error).toEqual({
        code: 'too_soon',
        message: expect.stringMatching(/fx\.daily was refreshed on request less than/),
        retryAfter: Number(wider.headers.get('retry-after')),
      });
      expect(Number(wider.headers.get('retry-after'))).toBeGreaterThan(50);
    } finally {
      await strict.close();
    }
  });

  test('with the cap reached a new run is 429 busy, and is accepted once the running one ends', async () => {
    const capped = await startService(url, { MAX_RUNNING_RUNS: '1' });
    try {
      const slow = await capped.post('/api/refresh', { views: ['fx.slow'] }, asAdmin);
      expect(slow.body.outcome).toBe('started');
      const other = await capped.post('/api/refresh', { views: ['fx.other_mv'] }, asAdmin);
      expect(other.status).toBe(429);
      expect(other.body.error).toMatchObject({ code: 'busy', retryAfter: 5 });
      expect(other.headers.get('retry-after')).toBe('5');
      await waitFor(finished(capped, slow.body.runId), 'the slow run to finish', 30_000);
      expect((await capped.post('/api/refresh', { views: ['fx.other_mv'] }, asAdmin)).status).toBe(202);
    } finally {
      await capped.close();
    }
  });
});
