// Two secrets, two powers, and who asked: over HTTP against the real service.
import type { Client } from 'pg';
import { installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { startFakeGrafanaJwks, type FakeGrafana } from './jwks';
import { ADMIN_SECRET, asAdmin, asReader, operatorUrl, READ_SECRET, startService, type Service } from './service';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let grafana: FakeGrafana;
let svc: Service;

beforeAll(async () => {
  db = await openTestDatabase('server_auth');
  c = await db.session();
  await installThreeTier(c);
  grafana = await startFakeGrafanaJwks();
  svc = await startService(await operatorUrl(db.url), {
    GRAFANA_JWKS_URL: grafana.jwksUrl,
    GRAFANA_ID_ISSUER: 'http://grafana.test/',
  });
});
afterAll(async () => {
  await svc?.close();
  await grafana?.close();
  await db?.close();
});

const runDone = (id: number) => async () =>
  (await c.query(`SELECT status FROM mv_ops.refresh_run WHERE run_id = $1 AND status <> 'running'`, [id])).rows[0];

describe('secrets', () => {
  test.each([
    ['GET', '/api/views'],
    ['GET', '/api/views/fx.daily/history'],
    ['GET', '/api/runs/1'],
    ['GET', '/metrics'],
    ['POST', '/api/refresh'],
  ])('%s %s without a secret is 401 with the stable error shape', async (method, path) => {
    const r = method === 'GET' ? await svc.get(path) : await svc.post(path, { views: ['fx.daily'] });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('secret') } });
  });

  test('a wrong secret (also one that is a prefix of the real one) is 401', async () => {
    for (const wrong of ['nope', READ_SECRET.slice(0, -1), ADMIN_SECRET + 'x', '']) {
      const r = await svc.get('/api/views', { 'x-matview-ops-secret': wrong });
      expect(r.status).toBe(401);
    }
  });

  test('the read secret reads status but a refresh with it is 403, and nothing is logged', async () => {
    expect((await svc.get('/api/views', asReader)).status).toBe(200);
    const r = await svc.post('/api/refresh', { views: ['fx.daily'] }, asReader);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_log`)).rows[0].n).toBe(0);
  });

  test('Prometheus-style bearer credentials work too', async () => {
    expect((await svc.get('/metrics', { authorization: `Bearer ${READ_SECRET}` })).status).toBe(200);
  });
});

describe('who asked', () => {
  test('the admin secret gets 202 with a run id; the log records the user from the verified X-Grafana-Id', async () => {
    const token = await grafana.sign({
      username: 'alice',
      sub: 'user:ad1f3',
      email: 'alice@example.test',
      namespace: 'default',
    });
    const r = await svc.post(
      '/api/refresh',
      { views: ['fx.other_mv'] },
      { ...asAdmin, 'x-grafana-id': token, 'x-grafana-user': 'mallory' }
    );
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ runId: expect.any(Number), outcome: 'started', requestedBy: 'alice' });
    expect(r.headers.get('location')).toBe(`/api/runs/${r.body.runId}`);
    await waitFor(runDone(r.body.runId), 'the run to finish');
    const log = await c.query(
      `SELECT view_name, requested_by, status, trigger FROM mv_ops.refresh_history WHERE run_id = $1`,
      [r.body.runId]
    );
    expect(log.rows).toEqual([
      { view_name: 'fx.other_mv', requested_by: 'alice', status: 'succeeded', trigger: 'api' },
    ]);
  });

  test('a token signed by another key, from another issuer or expired is 401 and starts nothing, even with X-Grafana-User present', async () => {
    const before = (await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_run`)).rows[0].n;
    const forged = await grafana.sign({ username: 'admin' }, { foreignKey: true });
    const r = await svc.post(
      '/api/refresh',
      { views: ['fx.other_mv'] },
      { ...asAdmin, 'x-grafana-id': forged, 'x-grafana-user': 'admin' }
    );
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_identity');
    const otherGrafana = await grafana.sign({ username: 'alice' }, { issuer: 'http://another-grafana.test/' });
    expect(
      (await svc.post('/api/refresh', { views: ['fx.other_mv'] }, { ...asAdmin, 'x-grafana-id': otherGrafana })).status
    ).toBe(401);
    const expired = await grafana.sign({ username: 'alice' }, { expiresIn: '-1m' });
    expect(
      (await svc.post('/api/refresh', { views: ['fx.other_mv'] }, { ...asAdmin, 'x-grafana-id': expired })).status
    ).toBe(401);
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_run`)).rows[0].n).toBe(before);
  });

  test('without a token, X-Grafana-User is recorded and marked unverified', async () => {
    const r = await svc.post(
      '/api/refresh',
      { views: ['fx.daily'], cascade: false },
      { ...asAdmin, 'x-grafana-user': 'bob' }
    );
    expect(r.status).toBe(202);
    await waitFor(runDone(r.body.runId), 'the run to finish');
    const log = await c.query(`SELECT requested_by FROM mv_ops.refresh_history WHERE run_id = $1`, [r.body.runId]);
    expect(log.rows).toEqual([{ requested_by: 'bob (unverified)' }]);
  });

  test('when verification is required, X-Grafana-User alone is refused', async () => {
    const strict = await startService(await operatorUrl(db.url), {
      GRAFANA_JWKS_URL: grafana.jwksUrl,
      REQUIRE_VERIFIED_IDENTITY: 'true',
    });
    try {
      const r = await strict.post('/api/refresh', { views: ['fx.daily'] }, { ...asAdmin, 'x-grafana-user': 'bob' });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('identity_required');
      const token = await grafana.sign({ username: 'carol' });
      const ok = await strict.post('/api/refresh', { views: ['fx.weekly'] }, { ...asAdmin, 'x-grafana-id': token });
      expect(ok.status).toBe(202);
      expect(ok.body.requestedBy).toBe('carol');
      await waitFor(runDone(ok.body.runId), 'the run to finish');
    } finally {
      await strict.close();
    }
  });
});
