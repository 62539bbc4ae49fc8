// What the read routes return: status per view, one view's history, a run's progress.
import type { Client } from 'pg';
import { installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { asAdmin, asReader, operatorUrl, startService, type Service } from './service';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let svc: Service;
let runId: number;

beforeAll(async () => {
  db = await openTestDatabase('server_status_routes');
  c = await db.session();
  await installThreeTier(c);
  svc = await startService(await operatorUrl(db.url));
  runId = (await svc.post('/api/refresh', { views: ['fx.daily'] }, { ...asAdmin, 'x-grafana-user': 'dora' })).body
    .runId;
  await waitFor(async () => (await svc.get(`/api/runs/${runId}`, asReader)).body.status !== 'running', 'the run');
});
afterAll(async () => {
  await svc?.close();
  await db?.close();
});

test('GET /api/views: one object per managed view, from mv_ops.freshness', async () => {
  const { status, body } = await svc.get('/api/views', asReader);
  expect(status).toBe(200);
  const fx = body.views.filter((v: { pack: string }) => v.pack === 'fx');
  expect(fx.map((v: { view: string; state: string }) => [v.view, v.state])).toEqual([
    ['fx.daily', 'fresh'],
    ['fx.other_mv', 'never_refreshed'],
    ['fx.total', 'fresh'],
    ['fx.weekly', 'fresh'],
  ]);
  expect(fx[0]).toEqual({
    view: 'fx.daily',
    pack: 'fx',
    description: 'daily totals',
    state: 'fresh',
    enabled: true,
    lagSeconds: 0,
    warnAfterSeconds: 1800,
    errorAfterSeconds: 7200,
    lastSuccessAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    lastAttemptAt: expect.any(String),
    lastAttemptStatus: 'succeeded',
    lastError: null,
    lastDurationMs: expect.any(Number),
    typicalDurationMs: expect.any(Number),
    rows: 10,
    sizeBytes: expect.any(Number),
    schedule: '*/15 * * * *',
    due: false,
    dueReason: null,
    refreshMode: 'full',
    zeroLag: false,
    // null until the engine logs refresh types (a later migration); every materialized view refresh is full.
    lastRefreshType: fx[0].lastRefreshType === null ? null : 'full',
    lastKeyCount: null,
  });
});

test('GET /api/runs/:id: the run, counts, and each attempt in dependency order', async () => {
  const { body } = await svc.get(`/api/runs/${runId}`, asReader);
  expect(body).toMatchObject({
    runId,
    trigger: 'api',
    requestedBy: 'dora (unverified)',
    requested: ['fx.daily'],
    cascade: true,
    status: 'succeeded',
    counts: { queued: 0, running: 0, succeeded: 3, failed: 0, skipped: 0 },
  });
  expect(body.steps.map((s: { view: string; trigger: string }) => [s.view, s.trigger])).toEqual([
    ['fx.daily', 'api'],
    ['fx.weekly', 'cascade'],
    ['fx.total', 'cascade'],
  ]);
});

test('GET /api/views/:name/history accepts a bare name, is newest first and honours limit', async () => {
  await waitFor(
    async () => (await svc.post('/api/refresh', { views: ['fx.daily'], cascade: false }, asAdmin)).status === 202,
    'a second run'
  );
  await waitFor(
    async () =>
      (await svc.get('/api/views/daily/history', asReader)).body.history.every(
        (h: { status: string }) => h.status === 'succeeded'
      ),
    'the second run to finish'
  );
  const all = (await svc.get('/api/views/daily/history', asReader)).body;
  expect(all.view).toBe('fx.daily');
  expect(all.history).toHaveLength(2);
  expect(all.history[0].logId).toBeGreaterThan(all.history[1].logId);
  const one = (await svc.get('/api/views/fx.daily/history?limit=1', asReader)).body;
  expect(one.history).toEqual([all.history[0]]);
});
