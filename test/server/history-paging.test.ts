// GET /api/views/:name/history pages backwards through the log with `before` and `nextBefore`.
import type { Client } from 'pg';
import { installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { asAdmin, asReader, operatorUrl, startService, type Service } from './service';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let svc: Service;

beforeAll(async () => {
  db = await openTestDatabase('server_history_paging');
  c = await db.session();
  await installThreeTier(c);
  svc = await startService(await operatorUrl(db.url));
  // Five finished attempts of one view, one run each (a run still going would be joined instead).
  for (let i = 0; i < 5; i++) {
    const r = await svc.post('/api/refresh', { views: ['fx.other_mv'], cascade: false }, asAdmin);
    expect(r.body.outcome).toBe('started');
    await waitFor(
      async () => (await svc.get(`/api/runs/${r.body.runId}`, asReader)).body.status !== 'running',
      'the run to finish'
    );
  }
});
afterAll(async () => {
  await svc?.close();
  await db?.close();
});

const history = (query: string) => svc.get(`/api/views/fx.other_mv/history${query}`, asReader);
const ids = (body: { history: Array<{ logId: number }> }) => body.history.map((h) => h.logId);

test('limit 2 over 5 attempts: pages of 2, 2 and 1, chained by nextBefore, null on the last', async () => {
  const all = (await history('')).body;
  expect(all.nextBefore).toBeNull();
  expect(all.history).toHaveLength(5);

  const p1 = (await history('?limit=2')).body;
  expect(ids(p1)).toEqual(ids(all).slice(0, 2));
  expect(p1.nextBefore).toBe(ids(all)[1]);

  const p2 = (await history(`?limit=2&before=${p1.nextBefore}`)).body;
  expect(ids(p2)).toEqual(ids(all).slice(2, 4));
  expect(p2.nextBefore).toBe(ids(all)[3]);

  const p3 = (await history(`?limit=2&before=${p2.nextBefore}`)).body;
  expect(p3.history).toEqual(all.history.slice(4));
  expect(p3.nextBefore).toBeNull();
});

test('a page that ends exactly at the oldest attempt has nextBefore null', async () => {
  const all = ids((await history('')).body);
  expect((await history('?limit=5')).body.nextBefore).toBeNull();
  const lastTwo = (await history(`?limit=2&before=${all[2]}`)).body;
  expect(ids(lastTwo)).toEqual(all.slice(3));
  expect(lastTwo.nextBefore).toBeNull();
});

test('before is exclusive and need not be a logged id: older attempts only, newest first', async () => {
  const all = ids((await history('')).body);
  expect(ids((await history(`?before=${all[0]}`)).body)).toEqual(all.slice(1));
  expect(ids((await history(`?before=${all[0] + 1000}`)).body)).toEqual(all);
  const none = (await history(`?before=${all[4]}`)).body;
  expect(none).toEqual({ view: 'fx.other_mv', history: [], nextBefore: null });
});

test.each(['abc', '0', '-1', '1.5', '1e3', '007', ' 1', '1234567890123456', ''])(
  'before=%p is 400 invalid_request',
  async (bad) => {
    const r = await history(`?before=${encodeURIComponent(bad)}`);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: { code: 'invalid_request', message: expect.any(String) } });
  }
);

test('before given twice is 400 invalid_request, not a silently chosen one', async () => {
  const r = await history('?before=3&before=2');
  expect(r.status).toBe(400);
  expect(r.body.error.code).toBe('invalid_request');
});
