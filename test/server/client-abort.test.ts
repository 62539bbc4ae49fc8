// A client that gives up (closes its connection mid-body, or while its answer is being read from the database) is
// the client's business: never logged, answered, counted or scraped as a database outage (database_unavailable,
// database_timeout, mv_ops_database_up 0, a 503), and the database stays usable for the next request.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { Client } from 'pg';
import { installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { openRaw } from './rawHttp';
import { ADMIN_SECRET, asReader, operatorUrl, READ_SECRET, SECRET_HEADER, startService, type Service } from './service';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let svc: Service;
const lines: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  db = await openTestDatabase('server_client_abort');
  c = await db.session();
  await installThreeTier(c);
  // Logs at warn and worse reach `lines`; a database outage is logged at warn (errors.ts), anything unclassified at error.
  svc = await startService(await operatorUrl(db.url), {}, (line) => lines.push(line));
});
afterAll(async () => {
  await svc?.close();
  await db?.close();
});

const host = () => new URL(svc.base).host;

test('a client that closes the connection halfway through a POST body', async () => {
  const conn = await openRaw(svc.base);
  conn.write(
    `POST /api/refresh HTTP/1.1\r\nHost: ${host()}\r\n${SECRET_HEADER}: ${ADMIN_SECRET}\r\n` +
      `Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{"views": ["fx.da`
  );
  await sleep(200);
  conn.destroy();
  await conn.answer;
  await sleep(300);
  // Nothing was started for the half-sent request.
  expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_run`)).rows[0].n).toBe(0);
});

test('a client that closes the connection while its answer waits on the database', async () => {
  // The history read waits behind a lock held here, well inside the query timeout, and gets its rows once it is
  // released: by then the client is gone.
  const holder = await db.session();
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE mv_ops.refresh_log IN ACCESS EXCLUSIVE MODE');
  try {
    const conn = await openRaw(svc.base);
    conn.write(
      `GET /api/views/fx.daily/history HTTP/1.1\r\nHost: ${host()}\r\n${SECRET_HEADER}: ${READ_SECRET}\r\n\r\n`
    );
    await waitFor(
      async () =>
        (
          await c.query(
            `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name LIKE 'matview-ops service%'`
          )
        ).rowCount,
      'the history query to wait for the lock'
    );
    conn.destroy();
    await conn.answer;
    await sleep(200);
  } finally {
    await holder.query('ROLLBACK');
  }
  await sleep(500);
});

test('a client that closes the connection right after asking for the metrics', async () => {
  const conn = await openRaw(svc.base);
  conn.write(`GET /metrics HTTP/1.1\r\nHost: ${host()}\r\n${SECRET_HEADER}: ${READ_SECRET}\r\n\r\n`);
  conn.destroy();
  await conn.answer;
  await sleep(500);
});

test('afterwards: nothing logged as a database problem, no 503 counted, the database up and ready', async () => {
  const logged = lines.map((l) => JSON.parse(l) as { level: number; msg: string; err?: { code?: string } });
  const outage = logged.filter(
    (l) =>
      /database|not reachable|did not answer/i.test(l.msg) ||
      l.msg === 'unhandled error' ||
      l.err?.code === 'ECONNRESET'
  );
  expect(outage).toEqual([]);

  const families = parsePrometheusTextFormat((await svc.get('/metrics', asReader)).body);
  const requests = families.find((f) => f.name === 'mv_ops_http_requests_total')!;
  const serverErrors = requests.metrics.filter((m) => /^5/.test(m.labels?.status ?? ''));
  expect(serverErrors).toEqual([]);
  expect(families.find((f) => f.name === 'mv_ops_database_up')!.metrics[0].value).toBe('1');

  // (Readiness as a whole also needs a scheduler, which this test database has none of.)
  expect((await svc.get('/readyz')).body.checks.database).toEqual({ ok: true, detail: expect.any(String) });
  expect((await svc.get('/api/views/fx.daily/history', asReader)).status).toBe(200);
});
