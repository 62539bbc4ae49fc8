// When Grafana's signing keys cannot be fetched, a request carrying X-Grafana-Id is neither refused
// as forged (401) nor let through unverified: it is 503 identity_unavailable, logged for the operator,
// and works again once the keys are back, without restarting the service.
import type { Client } from 'pg';
import { installThreeTier } from '../fixtures/threeTier';
import { freePort } from '../harness/freePort';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { startFakeGrafanaJwks, type FakeGrafana } from './jwks';
import { asAdmin, operatorUrl, startService, type Service } from './service';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let url: string;
let grafana: FakeGrafana;

beforeAll(async () => {
  db = await openTestDatabase('server_identity_keys');
  c = await db.session();
  await installThreeTier(c);
  url = await operatorUrl(db.url);
  grafana = await startFakeGrafanaJwks();
});
afterAll(async () => {
  await grafana?.close();
  await db?.close();
});

const runs = async () => (await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_run`)).rows[0].n;

async function strictService(jwksUrl: string): Promise<{ svc: Service; log: string[] }> {
  const log: string[] = [];
  const svc = await startService(url, { GRAFANA_JWKS_URL: jwksUrl, REQUIRE_VERIFIED_IDENTITY: 'true' }, (l) =>
    log.push(l)
  );
  return { svc, log };
}

const refreshAs = (svc: Service, token: string) =>
  svc.post('/api/refresh', { views: ['fx.other_mv'] }, { ...asAdmin, 'x-grafana-id': token, 'x-grafana-user': 'eve' });

test('nothing listens at GRAFANA_JWKS_URL: 503 identity_unavailable, logged with the URL, nothing started', async () => {
  const jwksUrl = `http://127.0.0.1:${await freePort()}/api/signing-keys/keys`;
  const { svc, log } = await strictService(jwksUrl);
  try {
    const before = await runs();
    const r = await refreshAs(svc, await grafana.sign({ username: 'alice' }));
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('10');
    expect(r.body).toEqual({
      error: {
        code: 'identity_unavailable',
        message: expect.stringMatching(/signing keys could not be fetched/),
        retryAfter: 10,
      },
    });
    // Internals (URL, errno) go to the log only.
    expect(JSON.stringify(r.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    const logged = log.map((l) => JSON.parse(l)).find((l) => /signing keys cannot be fetched/.test(l.msg));
    expect(logged).toMatchObject({ level: 50, jwksUrl, reason: expect.stringMatching(/ECONNREFUSED/) });
    expect(await runs()).toBe(before);
    // Without a token the answer is still the caller's problem: 401.
    const none = await svc.post('/api/refresh', { views: ['fx.other_mv'] }, asAdmin);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('identity_required');
  } finally {
    await svc.close();
  }
});

test('Grafana answers 500, then recovers: 503 first, then the same token verifies', async () => {
  const { svc } = await strictService(grafana.jwksUrl);
  try {
    const token = await grafana.sign({ username: 'alice' });
    grafana.setMode('error');
    const r = await refreshAs(svc, token);
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('identity_unavailable');
    grafana.setMode('ok');
    const ok = await refreshAs(svc, token);
    expect(ok.status).toBe(202);
    expect(ok.body.requestedBy).toBe('alice');
    await waitFor(
      async () =>
        (await c.query(`SELECT 1 FROM mv_ops.refresh_run WHERE run_id = $1 AND status <> 'running'`, [ok.body.runId]))
          .rowCount,
      'the run to finish'
    );
  } finally {
    grafana.setMode('ok');
    await svc.close();
  }
});

test('Grafana does not answer: 503 after the 3 s fetch timeout, not a hanging request', async () => {
  const { svc } = await strictService(grafana.jwksUrl);
  try {
    grafana.setMode('hang');
    const t0 = Date.now();
    const r = await refreshAs(svc, await grafana.sign({ username: 'alice' }));
    expect(r.status).toBe(503);
    expect(Date.now() - t0).toBeLessThan(4_500);
  } finally {
    grafana.setMode('ok');
    await svc.close();
  }
});

test('a token naming a key Grafana does not publish is still 401: the key set itself was fetched', async () => {
  const { svc } = await strictService(grafana.jwksUrl);
  try {
    const r = await refreshAs(svc, await grafana.sign({ username: 'alice' }, { kid: 'rotated-away' }));
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_identity');
  } finally {
    await svc.close();
  }
});
