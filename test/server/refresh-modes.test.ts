// How each view is refreshed and read, as the read routes answer it: refreshMode and zeroLag per view with
// its last successful refresh's type and key count, and refreshType/keyCount per attempt (history and runs).
// The engine marks aggregates keyed and logs incremental refreshes once the sales pack is keyed; here the
// owner sets both by hand, so the routes are tested whichever migrations have landed.
import type { Client } from 'pg';
import { installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { asAdmin, asReader, operatorUrl, startService, type Service } from './service';

jest.setTimeout(60_000);

// A table-backed aggregate (the only kind that may be keyed) next to the three-tier fixture's views.
const AGGREGATE_SQL = `
CREATE TABLE fx.day_total (day date PRIMARY KEY, amount numeric NOT NULL);
CREATE FUNCTION fx.refresh_day_total() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM fx.day_total;
  INSERT INTO fx.day_total SELECT day, sum(amount) FROM fx.sale GROUP BY day;
END $$;
SELECT mv_ops.register_aggregate('fx.day_total', 'fx', 'daily totals kept by a routine', '*/15 * * * *',
       '30 minutes', '2 hours', 'fx.refresh_day_total()', ARRAY['fx.sale'::regclass]);
`;

let db: TestDb;
let c: Client;
let svc: Service;

const refreshed = async (views: string[]): Promise<number> => {
  const runId = (await svc.post('/api/refresh', { views, cascade: false }, asAdmin)).body.runId as number;
  await waitFor(async () => (await svc.get(`/api/runs/${runId}`, asReader)).body.status !== 'running', 'the run');
  return runId;
};
const viewOf = async (name: string) =>
  (await svc.get('/api/views', asReader)).body.views.find((v: { view: string }) => v.view === name);

beforeAll(async () => {
  db = await openTestDatabase('server_refresh_modes');
  c = await db.session();
  await installThreeTier(c);
  await c.query(AGGREGATE_SQL);
  svc = await startService(await operatorUrl(db.url));
});
afterAll(async () => {
  await svc?.close();
  await db?.close();
});

test('a view never refreshed: full, stored reads, no last refresh type or key count', async () => {
  expect(await viewOf('fx.other_mv')).toMatchObject({
    refreshMode: 'full',
    zeroLag: false,
    lastRefreshType: null,
    lastKeyCount: null,
  });
});

test('a materialized view: refreshMode full; its attempts are full (or untyped before the engine logs types)', async () => {
  const runId = await refreshed(['fx.daily']);
  const v = await viewOf('fx.daily');
  expect(v).toMatchObject({ refreshMode: 'full', zeroLag: false, lastKeyCount: null });
  expect([null, 'full']).toContain(v.lastRefreshType);
  const run = (await svc.get(`/api/runs/${runId}`, asReader)).body;
  expect(run.steps).toHaveLength(1);
  expect([null, 'full']).toContain(run.steps[0].refreshType);
  expect(run.steps[0].keyCount).toBeNull();
});

test('a keyed, zero-lag aggregate: incremental and zero lag, with its last incremental refresh and key count', async () => {
  await c.query(`UPDATE mv_ops.managed_view SET keyed = true, zero_lag = true
                 WHERE schema_name = 'fx' AND view_name = 'day_total'`);
  const first = await refreshed(['fx.day_total']);
  const second = await refreshed(['fx.day_total']);
  // What the engine logs: the first refresh of a keyed aggregate is full, later ones recompute the changed keys.
  await c.query(`UPDATE mv_ops.refresh_log SET refresh_type = 'full', key_count = NULL WHERE run_id = $1`, [first]);
  await c.query(`UPDATE mv_ops.refresh_log SET refresh_type = 'incremental', key_count = 3 WHERE run_id = $1`, [
    second,
  ]);

  expect(await viewOf('fx.day_total')).toMatchObject({
    state: 'fresh',
    refreshMode: 'incremental',
    zeroLag: true,
    lastRefreshType: 'incremental',
    lastKeyCount: 3,
  });

  const { status, body } = await svc.get('/api/views/fx.day_total/history', asReader);
  expect(status).toBe(200);
  expect(body.history).toEqual([
    expect.objectContaining({ runId: second, status: 'succeeded', refreshType: 'incremental', keyCount: 3 }),
    expect.objectContaining({ runId: first, status: 'succeeded', refreshType: 'full', keyCount: null }),
  ]);
  expect((await svc.get(`/api/runs/${second}`, asReader)).body.steps).toEqual([
    expect.objectContaining({ view: 'fx.day_total', refreshType: 'incremental', keyCount: 3 }),
  ]);
});

test('an incremental refresh that found nothing changed reports 0 keys, not none', async () => {
  const runId = await refreshed(['fx.day_total']);
  await c.query(`UPDATE mv_ops.refresh_log SET refresh_type = 'incremental', key_count = 0 WHERE run_id = $1`, [runId]);
  expect(await viewOf('fx.day_total')).toMatchObject({ lastRefreshType: 'incremental', lastKeyCount: 0 });
  const [latest] = (await svc.get('/api/views/fx.day_total/history?limit=1', asReader)).body.history;
  expect(latest).toMatchObject({ runId, refreshType: 'incremental', keyCount: 0 });
});

test('the last refresh type is that of the last success: a failed attempt after it changes nothing', async () => {
  await c.query(`INSERT INTO fx.sale (day, amount, qty) VALUES ('2025-01-11', 10, 1)`);
  await c.query(`CREATE OR REPLACE FUNCTION fx.refresh_day_total() RETURNS void LANGUAGE plpgsql AS $$
                 BEGIN RAISE EXCEPTION 'broken on purpose'; END $$`);
  const runId = await refreshed(['fx.day_total']);
  const [failed] = (await svc.get('/api/views/fx.day_total/history?limit=1', asReader)).body.history;
  expect(failed).toMatchObject({ runId, status: 'failed', keyCount: null });
  expect(await viewOf('fx.day_total')).toMatchObject({
    state: 'failing',
    refreshMode: 'incremental',
    zeroLag: true,
    lastRefreshType: 'incremental',
    lastKeyCount: 0,
  });
});

test('every field the app reads is present on every view and attempt (the response schemas are strict)', async () => {
  const views = (await svc.get('/api/views', asReader)).body.views as Array<Record<string, unknown>>;
  for (const v of views) {
    expect(['full', 'incremental']).toContain(v.refreshMode);
    expect(typeof v.zeroLag).toBe('boolean');
    expect(v).toHaveProperty('lastRefreshType');
    expect(v).toHaveProperty('lastKeyCount');
  }
  const history = (await svc.get('/api/views/fx.daily/history', asReader)).body.history as Array<
    Record<string, unknown>
  >;
  expect(history.length).toBeGreaterThan(0);
  for (const a of history) {
    expect(a).toHaveProperty('refreshType');
    expect(a).toHaveProperty('keyCount');
  }
});
