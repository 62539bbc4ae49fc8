// /metrics is Prometheus text a real parser accepts, and its figures agree with GET /api/views.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { Client } from 'pg';
import { installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { asAdmin, asReader, operatorUrl, startService, type Service } from './service';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let svc: Service;

beforeAll(async () => {
  db = await openTestDatabase('server_metrics');
  c = await db.session();
  await installThreeTier(c);
  svc = await startService(await operatorUrl(db.url));
  const run = await svc.post('/api/refresh', { pack: 'fx' }, asAdmin);
  await waitFor(
    async () => (await svc.get(`/api/runs/${run.body.runId}`, asReader)).body.status === 'succeeded',
    'the pack refresh'
  );
  // A change the views have not seen yet: daily, weekly and total now lag; other_mv does not.
  await c.query(`INSERT INTO fx.sale (day, amount) VALUES ('2025-01-11', 5)`);
  await new Promise((r) => setTimeout(r, 1_200));
});
afterAll(async () => {
  await svc?.close();
  await db?.close();
});

type ViewStatus = { view: string; pack: string; lagSeconds: number; state: string };
const statusOf = async (): Promise<ViewStatus[]> =>
  (await svc.get('/api/views', asReader)).body.views.filter((v: ViewStatus) => v.pack === 'fx');

test('the lag and state per view match the status route read just before and just after', async () => {
  // A scrape a moment earlier must not be served again: every scrape reads the status afresh.
  await svc.get('/metrics', asReader);
  await new Promise((r) => setTimeout(r, 300));
  const before = await statusOf();
  const text: string = (await svc.get('/metrics', asReader)).body;
  const after = await statusOf();
  const families = parsePrometheusTextFormat(text);
  const family = (name: string) => families.find((f) => f.name === name)!;

  const lag = family('mv_ops_view_lag_seconds');
  expect(lag.type).toBe('GAUGE');
  expect(before.find((v) => v.view === 'fx.daily')!.lagSeconds).toBeGreaterThan(1);
  expect(before.find((v) => v.view === 'fx.other_mv')!.lagSeconds).toBe(0);
  for (const [i, v] of before.entries()) {
    const sample = lag.metrics.find((m) => m.labels?.view === v.view);
    expect(sample?.labels).toEqual({ view: v.view, pack: 'fx' });
    // Lag grows with the clock and is rounded to 0.1 s (a monotonic rounding), and the scrape's read
    // happened between the two status reads: no tolerance is needed.
    const [low, metric, high] = [v.lagSeconds, Number(sample!.value), after[i].lagSeconds];
    expect({ view: v.view, low: low <= metric, high: metric <= high }).toEqual({ view: v.view, low: true, high: true });

    const states = family('mv_ops_view_state').metrics.filter((m) => m.labels?.view === v.view);
    expect(states).toHaveLength(6);
    expect(states.filter((m) => m.value === '1').map((m) => m.labels!.state)).toEqual([v.state]);
  }
  expect(family('mv_ops_database_up').metrics[0].value).toBe('1');
});

test('attempts and durations of the runs this process executed, and request counts, are exported', async () => {
  const text: string = (await svc.get('/metrics', asReader)).body;
  const families = parsePrometheusTextFormat(text);
  const attempts = families.find((f) => f.name === 'mv_ops_service_refresh_attempts_total')!;
  expect(attempts.type).toBe('COUNTER');
  const daily = attempts.metrics.find((m) => m.labels?.view === 'fx.daily' && m.labels?.status === 'succeeded');
  expect(daily?.value).toBe('1');
  expect(families.find((f) => f.name === 'mv_ops_service_refresh_duration_seconds')?.type).toBe('HISTOGRAM');
  // The parser drops histogram labels, so the count is read from the text itself.
  expect(text).toMatch(/^mv_ops_service_refresh_duration_seconds_count\{view="fx\.daily",status="succeeded"\} 1$/m);
  const requests = families.find((f) => f.name === 'mv_ops_http_requests_total')!;
  expect(requests.metrics.find((m) => m.labels?.route === '/api/refresh' && m.labels?.status === '202')?.value).toBe(
    '1'
  );
});
