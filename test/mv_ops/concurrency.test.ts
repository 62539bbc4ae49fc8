import type { Client } from 'pg';
import { callRefresh, installThreeTier, logOf, slowViewSql } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('concurrency');
  c = await db.session();
  await installThreeTier(c);
  await c.query(slowViewSql(1.5));
  await callRefresh(c, `views => ARRAY['fx.slow']`); // populated, so later refreshes are CONCURRENTLY
});
afterAll(() => db.close());

const runningAttempt = (view: string) => async () =>
  (await c.query(`SELECT backend_pid FROM mv_ops.refresh_log WHERE view_name = $1 AND status = 'running'`, [view]))
    .rows[0];

describe('two requests for the same view', () => {
  test('two sessions asking at once cause one refresh; the other is logged as already running', async () => {
    const [a, b] = [await db.session(), await db.session()];
    const [runA, runB] = await Promise.all([
      callRefresh(a, `views => ARRAY['fx.slow']`),
      callRefresh(b, `views => ARRAY['fx.slow']`),
    ]);
    const attempts = [...(await logOf(c, runA)), ...(await logOf(c, runB))];
    expect(attempts.map((l) => l.status).sort()).toEqual(['skipped', 'succeeded']);
    const skipped = attempts.find((l) => l.status === 'skipped')!;
    const winner = attempts.find((l) => l.status === 'succeeded')!;
    expect(skipped.message).toBe(`already being refreshed by run ${winner.run_id}`);
  });

  test('a reader SELECT completes while a concurrent refresh of the view is in progress', async () => {
    const refresher = await db.session();
    const refreshing = callRefresh(refresher, `views => ARRAY['fx.slow']`);
    await waitFor(runningAttempt('fx.slow'), 'the refresh to start');
    const reader = await db.session();
    const { rows } = await reader.query(`SELECT count(*)::int AS n FROM fx.slow`);
    expect(rows[0].n).toBe(3);
    // The refresh was still running when the read returned.
    expect(await runningAttempt('fx.slow')()).toBeDefined();
    await refreshing;
  });
});

describe('a refresh whose session dies', () => {
  test('pg_terminate_backend leaves the old rows readable; status shows failing and the next run marks the row abandoned', async () => {
    const victim = await db.session();
    const dying = callRefresh(victim, `views => ARRAY['fx.slow']`).catch((e: Error) => e);
    const { backend_pid } = await waitFor(runningAttempt('fx.slow'), 'the refresh to start');
    await c.query(`SELECT pg_terminate_backend($1)`, [backend_pid]);
    expect(await dying).toBeInstanceOf(Error);
    await waitFor(
      async () => (await c.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [backend_pid])).rowCount === 0,
      'the backend to exit'
    );

    expect((await c.query(`SELECT count(*)::int AS n FROM fx.slow`)).rows[0].n).toBe(3);
    const status = await c.query(`SELECT state, last_attempt_status FROM mv_ops.freshness WHERE view_name = 'fx.slow'`);
    expect(status.rows[0]).toEqual({ state: 'failing', last_attempt_status: 'failed' });

    await callRefresh(c, `views => ARRAY['fx.other_mv']`);
    const { rows } = await c.query(
      `SELECT l.status, l.message, r.status AS run_status FROM mv_ops.refresh_log l JOIN mv_ops.refresh_run r USING (run_id)
       WHERE l.backend_pid = $1 AND l.view_name = 'fx.slow'`,
      [backend_pid]
    );
    expect(rows).toEqual([
      {
        status: 'failed',
        message: `abandoned: the session (pid ${backend_pid}) running this refresh ended before it finished`,
        run_status: 'failed',
      },
    ]);
  });

  test('a run created but never claimed by a session is failed after unclaimed_run_timeout, not left running', async () => {
    const { rows } = await c.query(
      `SELECT mv_ops.start_run(ARRAY['fx.other_mv'], NULL, false, 'manual', 'test') AS run`
    );
    const run = Number(rows[0].run);
    const runStatus = async () =>
      (await c.query(`SELECT status FROM mv_ops.refresh_run WHERE run_id = $1`, [run])).rows[0].status;
    expect((await c.query(`SELECT mv_ops.reap_abandoned() AS n`)).rows[0].n).toBe(0);
    expect(await runStatus()).toBe('running');
    await c.query(`SET mv_ops.clock_offset = '6 minutes'`);
    try {
      expect((await c.query(`SELECT mv_ops.reap_abandoned() AS n`)).rows[0].n).toBe(1);
    } finally {
      await c.query(`RESET mv_ops.clock_offset`);
    }
    expect(await runStatus()).toBe('failed');
    expect((await logOf(c, run)).map((l) => [l.status, l.message])).toEqual([
      ['skipped', 'skipped: no session claimed the run within 00:05:00'],
    ]);
  });

  test('a refresh that cannot get its lock within the lock_timeout setting is logged failed with 55P03, the rows kept', async () => {
    const setLockTimeout = (v: string) =>
      c.query(`UPDATE mv_ops.setting SET value = $1 WHERE name = 'lock_timeout'`, [v]);
    const holder = await db.session();
    await setLockTimeout('300 milliseconds');
    try {
      await callRefresh(c, `views => ARRAY['fx.other_mv']`);
      const before = (await c.query(`SELECT count(*)::int AS n FROM fx.other_mv`)).rows[0].n;
      // Anything holding the view (here a plain REFRESH outside mv_ops, not committed; or long DDL) blocks
      // REFRESH ... CONCURRENTLY's EXCLUSIVE lock. (LOCK TABLE refuses materialized views.)
      await holder.query(`BEGIN; REFRESH MATERIALIZED VIEW fx.other_mv`);
      const run = await callRefresh(c, `views => ARRAY['fx.other_mv']`);
      await holder.query('ROLLBACK');
      const [attempt] = await logOf(c, run);
      expect(attempt).toMatchObject({ status: 'failed', sqlstate: '55P03' });
      expect(attempt.message).toMatch(/lock timeout/);
      expect((await c.query(`SELECT count(*)::int AS n FROM fx.other_mv`)).rows[0].n).toBe(before);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await setLockTimeout('1 minute');
    }
  });

  test('the watchdog cancels a refresh running past refresh_timeout; it is logged failed with 57014', async () => {
    await c.query(`UPDATE mv_ops.setting SET value = '500 milliseconds' WHERE name = 'refresh_timeout'`);
    try {
      const worker = await db.session();
      const running = callRefresh(worker, `views => ARRAY['fx.slow']`);
      await waitFor(runningAttempt('fx.slow'), 'the refresh to start');
      // Polled rather than slept: the attempt must first be older than the timeout, however loaded the machine.
      await waitFor(async () => (await c.query(`SELECT mv_ops.cancel_overrunning() AS n`)).rows[0].n === 1, 'a cancel');
      const run = await running;
      expect((await logOf(c, run))[0]).toMatchObject({ status: 'failed', sqlstate: '57014' });
    } finally {
      await c.query(`UPDATE mv_ops.setting SET value = '30 minutes' WHERE name = 'refresh_timeout'`);
    }
  });
});
