// Every bad request is a 4xx with a clear message, and none of them refreshes or logs anything.
import type { Client } from 'pg';
import { installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, type TestDb } from '../harness/sql';
import { openRaw } from './rawHttp';
import { asAdmin, asReader, operatorUrl, startService, READ_SECRET, SECRET_HEADER, type Service } from './service';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let svc: Service;

beforeAll(async () => {
  db = await openTestDatabase('server_bad_inputs');
  c = await db.session();
  await installThreeTier(c);
  svc = await startService(await operatorUrl(db.url), { BODY_LIMIT_BYTES: '2048' });
});
afterAll(async () => {
  await svc?.close();
  await db?.close();
});

const nothingHappened = async () => {
  const { rows } = await c.query(
    `SELECT (SELECT count(*) FROM mv_ops.refresh_run)::int AS runs, (SELECT count(*) FROM mv_ops.refresh_log)::int AS attempts,
            (SELECT count(*) FROM pg_matviews WHERE schemaname = 'fx' AND ispopulated)::int AS populated,
            (SELECT count(*) FROM pg_tables WHERE schemaname = 'fx')::int AS tables`
  );
  expect(rows[0]).toEqual({ runs: 0, attempts: 0, populated: 0, tables: 2 });
};

const bodies: Array<[string, unknown, number, RegExp]> = [
  ['an unknown view', { views: ['fx.nope'] }, 400, /unknown view "fx\.nope"/],
  ['an unknown pack', { pack: 'nope' }, 400, /unknown pack "nope"/],
  ['SQL injection in a view name', { views: ['fx.daily; DROP TABLE fx.sale; --'] }, 400, /unknown view/],
  ['a quoted-identifier injection', { views: ['fx."daily"" ; DROP TABLE fx.sale; --"'] }, 400, /unknown view/],
  ['injection in the pack', { pack: "fx' OR '1'='1" }, 400, /unknown pack/],
  ['views as a string', { views: 'fx.daily' }, 400, /views must be array/],
  ['a number among the views', { views: [42] }, 400, /must be string/],
  ['cascade as a string', { views: ['fx.daily'], cascade: 'true' }, 400, /cascade must be boolean/],
  ['an empty view list', { views: [] }, 400, /must NOT have fewer than 1 items/],
  ['an empty view name', { views: [''] }, 400, /must NOT have fewer than 1 characters/],
  ['a control character in a name', { views: ['fx.daily\u0000'] }, 400, /must match pattern/],
  ['an unknown field', { views: ['fx.daily'], force: true }, 400, /must NOT have additional properties/],
  ['neither views nor pack', {}, 400, /"views".*or "pack"/],
  ['a JSON array body', [], 400, /body must be object/],
  ['invalid JSON', '{"views": [', 400, /JSON/i],
  [
    'an oversized body',
    { views: Array.from({ length: 90 }, (_, i) => `fx.view_with_a_long_name_${i}`) },
    413,
    /too large/i,
  ],
];

describe('POST /api/refresh rejects', () => {
  test.each(bodies)('%s', async (_what, body, status, message) => {
    const r = await svc.post('/api/refresh', body, asAdmin);
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ error: { code: expect.any(String), message: expect.stringMatching(message) } });
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.(ts|js):\d+|stack/);
    await nothingHappened();
  });

  test('a text/plain body (Fastify parses it as a string; the schema refuses it)', async () => {
    const r = await fetch(`${svc.base}/api/refresh`, {
      method: 'POST',
      headers: { ...asAdmin, 'content-type': 'text/plain' },
      body: 'views=fx.daily',
    });
    expect(r.status).toBe(400);
    expect((await r.json()).error.message).toMatch(/body must be object/);
    await nothingHappened();
  });

  test('an Idempotency-Key that is too long', async () => {
    const r = await svc.post(
      '/api/refresh',
      { views: ['fx.daily'] },
      { ...asAdmin, 'idempotency-key': 'k'.repeat(201) }
    );
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/idempotency-key/);
    await nothingHappened();
  });
});

describe('reads reject', () => {
  test.each([
    ['a non-numeric run id', '/api/runs/abc', 400, /params\/id must match pattern/],
    ['an injection as run id', '/api/runs/1%20OR%201=1', 400, /params\/id/],
    ['a negative run id', '/api/runs/-1', 400, /params\/id/],
    ['a run id beyond bigint', '/api/runs/99999999999999999999', 400, /params\/id/],
    ['a run that does not exist', '/api/runs/424242', 404, /no run 424242/],
    ['history of an unknown view', '/api/views/fx.nope/history', 404, /No managed view/],
    ['history with a bad limit', '/api/views/fx.daily/history?limit=0', 400, /limit/],
    ['history with a non-numeric limit', '/api/views/fx.daily/history?limit=ten', 400, /limit/],
    ['history with an unknown parameter', '/api/views/fx.daily/history?order=asc', 400, /additional properties/],
    ['an unknown route', '/api/nope', 404, /No route/],
  ])('%s', async (_what, path, status, message) => {
    const r = await svc.get(path, asReader);
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ error: { code: expect.any(String), message: expect.stringMatching(message) } });
    await nothingHappened();
  });
});

// Sent byte for byte (fetch would resolve the dots before sending), as Grafana's proxy forwards the rest
// of a `*` route: unnormalised.
describe('paths with dot segments are refused before routing, whatever route they would reach', () => {
  test.each([
    ['.. in the path', '/api/views/../../metrics'],
    ['.. escaped as %2E%2E', '/api/views/%2E%2E/%2E%2E/metrics'],
    ['.. with an escaped slash', '/api/views/..%2F..%2Fmetrics'],
    ['a . segment', '/api/./views'],
    ['.. with a backslash', '/api/views/..%5C..%5Cmetrics'],
  ])('%s', async (_what, path) => {
    const conn = await openRaw(svc.base);
    conn.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n${SECRET_HEADER}: ${READ_SECRET}\r\nConnection: close\r\n\r\n`);
    const answer = await conn.answer;
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'invalid_request', message: 'Paths with "." or ".." segments are not accepted.' },
    });
  });

  test('a name that merely contains dots (schema.view) is not a dot segment', async () => {
    const r = await svc.get('/api/views/fx.daily/history?limit=1', asReader);
    expect(r.status).toBe(200);
  });
});
