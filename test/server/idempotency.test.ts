// Idempotency-Key: a retry gets the run of the first attempt, on any instance; keys belong to the
// caller, so one admin's key never returns (or refuses with 422) another admin's run.
import type { Client } from 'pg';
import { installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { asAdmin, asReader, operatorUrl, startService, type Service } from './service';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let a: Service;
let b: Service;

beforeAll(async () => {
  db = await openTestDatabase('server_idempotency');
  c = await db.session();
  await installThreeTier(c);
  const url = await operatorUrl(db.url);
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
const as = (user: string, key: string) => ({ ...asAdmin, 'x-grafana-user': user, 'idempotency-key': key });

test('a retry with the same key gets the same run, even after it finished and on another instance', async () => {
  const first = await a.post('/api/refresh', { views: ['fx.other_mv'] }, as('alice', 'click-7f3a'));
  expect(first.body.outcome).toBe('started');
  await waitFor(finished(a, first.body.runId), 'the run to finish');
  const again = await b.post('/api/refresh', { views: ['fx.other_mv'] }, as('alice', 'click-7f3a'));
  expect(again.status).toBe(202);
  expect(again.body).toMatchObject({ runId: first.body.runId, outcome: 'idempotent' });
  const later = await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_log WHERE run_id > $1`, [
    first.body.runId,
  ]);
  expect(later.rows[0].n).toBe(0);
});

test('the same key with a different request is 422', async () => {
  const first = await a.post('/api/refresh', { views: ['fx.other_mv'] }, as('alice', 'click-9c1d'));
  await waitFor(finished(a, first.body.runId), 'the run to finish');
  const other = await a.post('/api/refresh', { views: ['fx.daily'] }, as('alice', 'click-9c1d'));
  expect(other.status).toBe(422);
  expect(other.body.error.code).toBe('idempotency_key_reused');
});

test("another user's identical key and request starts that user's own run", async () => {
  const alice = await a.post('/api/refresh', { views: ['fx.other_mv'] }, as('alice', 'click-shared'));
  await waitFor(finished(a, alice.body.runId), 'the run to finish');
  const bob = await b.post('/api/refresh', { views: ['fx.other_mv'] }, as('bob', 'click-shared'));
  expect(bob.status).toBe(202);
  expect(bob.body.outcome).toBe('started');
  expect(bob.body.runId).not.toBe(alice.body.runId);
  await waitFor(finished(b, bob.body.runId), 'the run to finish');
  // Each retry still finds its own caller's run.
  const aliceAgain = await b.post('/api/refresh', { views: ['fx.other_mv'] }, as('alice', 'click-shared'));
  expect(aliceAgain.body).toMatchObject({ runId: alice.body.runId, outcome: 'idempotent' });
  const bobAgain = await a.post('/api/refresh', { views: ['fx.other_mv'] }, as('bob', 'click-shared'));
  expect(bobAgain.body).toMatchObject({ runId: bob.body.runId, outcome: 'idempotent' });
});

test("another user's key with a different request is not 422: nothing about alice's request leaks", async () => {
  const alice = await a.post('/api/refresh', { views: ['fx.other_mv'] }, as('alice', 'click-private'));
  await waitFor(finished(a, alice.body.runId), 'the run to finish');
  const bob = await a.post('/api/refresh', { views: ['fx.daily'], cascade: false }, as('bob', 'click-private'));
  expect(bob.status).toBe(202);
  expect(bob.body.outcome).toBe('started');
  await waitFor(finished(a, bob.body.runId), 'the run to finish');
});
