// GET /api/access: what the secret allows and whom the service sees, reported without refusing the
// caller for an identity problem and without starting anything.
import type { Client } from 'pg';
import { installThreeTier } from '../fixtures/threeTier';
import { freePort } from '../harness/freePort';
import { openTestDatabase, type TestDb } from '../harness/sql';
import { startFakeGrafanaJwks, type FakeGrafana } from './jwks';
import { ADMIN_SECRET, asAdmin, asReader, operatorUrl, READ_SECRET, startService, type Service } from './service';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let url: string;
let grafana: FakeGrafana;
let lax: Service;
let strict: Service;

beforeAll(async () => {
  db = await openTestDatabase('server_access_route');
  c = await db.session();
  await installThreeTier(c);
  url = await operatorUrl(db.url);
  grafana = await startFakeGrafanaJwks();
  const keys = { GRAFANA_JWKS_URL: grafana.jwksUrl, GRAFANA_ID_ISSUER: 'http://grafana.test/' };
  lax = await startService(url, keys);
  strict = await startService(url, { ...keys, REQUIRE_VERIFIED_IDENTITY: 'true' });
});
afterAll(async () => {
  await lax?.close();
  await strict?.close();
  await grafana?.close();
  await db?.close();
});

const problem = (code: string) => ({ code, message: expect.any(String) });

test('the read secret is power read and cannot refresh, even with a verified token', async () => {
  const token = await grafana.sign({ username: 'alice' });
  const r = await lax.get('/api/access', { ...asReader, 'x-grafana-id': token });
  expect(r.status).toBe(200);
  expect(r.body).toEqual({
    power: 'read',
    canRefresh: false,
    identity: { user: 'alice', verified: true, problem: null },
    requireVerifiedIdentity: false,
  });
});

test('the admin secret with a verified token names the user and can refresh', async () => {
  const token = await grafana.sign({ username: 'alice', sub: 'user:ad1f3' });
  const r = await strict.get('/api/access', { ...asAdmin, 'x-grafana-id': token, 'x-grafana-user': 'mallory' });
  expect(r.status).toBe(200);
  expect(r.body).toEqual({
    power: 'admin',
    canRefresh: true,
    identity: { user: 'alice', verified: true, problem: null },
    requireVerifiedIdentity: true,
  });
});

test('the admin secret with only X-Grafana-User can refresh while verification is not required', async () => {
  const r = await lax.get('/api/access', { ...asAdmin, 'x-grafana-user': 'bob' });
  expect(r.body).toEqual({
    power: 'admin',
    canRefresh: true,
    identity: { user: 'bob (unverified)', verified: false, problem: null },
    requireVerifiedIdentity: false,
  });
});

test('the admin secret without a token, verification required: 200 reporting identity_required, cannot refresh', async () => {
  const r = await strict.get('/api/access', { ...asAdmin, 'x-grafana-user': 'bob' });
  expect(r.status).toBe(200);
  expect(r.body).toEqual({
    power: 'admin',
    canRefresh: false,
    identity: { user: null, verified: false, problem: problem('identity_required') },
    requireVerifiedIdentity: true,
  });
});

test('a forged token is reported as invalid_identity and cannot refresh, even when verification is not required', async () => {
  const forged = await grafana.sign({ username: 'admin' }, { foreignKey: true });
  const r = await lax.get('/api/access', { ...asAdmin, 'x-grafana-id': forged, 'x-grafana-user': 'admin' });
  expect(r.status).toBe(200);
  expect(r.body).toEqual({
    power: 'admin',
    canRefresh: false,
    identity: { user: null, verified: false, problem: problem('invalid_identity') },
    requireVerifiedIdentity: false,
  });
});

test('unreachable signing keys are reported as identity_unavailable with a 200, not a 503', async () => {
  const unreachable = await startService(url, {
    GRAFANA_JWKS_URL: `http://127.0.0.1:${await freePort()}/api/signing-keys/keys`,
  });
  try {
    const r = await unreachable.get('/api/access', {
      ...asAdmin,
      'x-grafana-id': await grafana.sign({ username: 'a' }),
    });
    expect(r.status).toBe(200);
    expect(r.body.canRefresh).toBe(false);
    expect(r.body.identity).toEqual({ user: null, verified: false, problem: problem('identity_unavailable') });
    // The key set's address stays in the log, as on the refresh route.
    expect(JSON.stringify(r.body)).not.toMatch(/127\.0\.0\.1/);
  } finally {
    await unreachable.close();
  }
});

test.each([
  ['no secret', {}],
  ['a wrong secret', { 'x-matview-ops-secret': 'nope' }],
  ['a prefix of the read secret', { 'x-matview-ops-secret': READ_SECRET.slice(0, -1) }],
  ['the admin secret plus a character', { 'x-matview-ops-secret': ADMIN_SECRET + 'x' }],
])('%s is 401 unauthorized in the error shape', async (_label, headers) => {
  const r = await lax.get('/api/access', headers);
  expect(r.status).toBe(401);
  expect(r.body).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('secret') } });
});

test('asking starts nothing: no refresh_run or refresh_request row appears', async () => {
  const count = async () =>
    (
      await c.query(`SELECT (SELECT count(*) FROM mv_ops.refresh_run)::int AS runs,
                            (SELECT count(*) FROM mv_ops.refresh_request)::int AS requests`)
    ).rows[0];
  const before = await count();
  const token = await grafana.sign({ username: 'alice' });
  for (const svc of [lax, strict]) {
    expect((await svc.get('/api/access', { ...asAdmin, 'x-grafana-id': token })).body.canRefresh).toBe(true);
    await svc.get('/api/access', { ...asAdmin, 'x-grafana-user': 'bob' });
  }
  expect(await count()).toEqual(before);
  // The counts are live: a real refresh through the same service does add rows.
  expect((await lax.post('/api/refresh', { views: ['fx.other_mv'] }, asAdmin)).status).toBe(202);
  expect((await count()).requests).toBe(before.requests + 1);
});
