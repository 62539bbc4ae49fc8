// Installed by a non-superuser (managed PostgreSQL), the definer functions cannot see other roles'
// backend_start. These tests give reap_abandoned / cancel_overrunning such an owner, inside a transaction
// that is rolled back, and prove liveness is judged by the locks a running session holds instead.
import { Client } from 'pg';
import { callRefresh, installThreeTier, logOf, slowViewSql } from '../fixtures/threeTier';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let worker: Client;
let bystander: Client;
const login = `mv_ops_test_operator_${process.pid}`;

beforeAll(async () => {
  db = await openTestDatabase('nonsuper');
  c = await db.session();
  await installThreeTier(c);
  await c.query(slowViewSql(3));
  await callRefresh(c, `views => ARRAY['fx.slow']`);
  // Sessions of another, non-superuser login: what a non-superuser owner may signal but not inspect.
  await c.query(`CREATE ROLE ${login} LOGIN IN ROLE mv_ops_operator`);
  const url = new URL(db.url);
  url.username = login;
  [worker, bystander] = [
    new Client({ connectionString: url.toString() }),
    new Client({ connectionString: url.toString() }),
  ];
  for (const session of [worker, bystander]) {
    session.on('error', () => undefined);
    await session.connect();
  }
});
afterAll(async () => {
  await Promise.all([worker.end(), bystander.end()]);
  await c.query(`DROP ROLE ${login}`);
  await db.close();
});

/** Makes `fn` owned by a role without pg_read_all_stats (but with pg_signal_backend) until ROLLBACK. */
async function ownedByNonSuperuser(fn: string): Promise<void> {
  await c.query('BEGIN');
  await c.query(`
    CREATE ROLE mv_ops_test_owner NOLOGIN IN ROLE pg_signal_backend;
    GRANT USAGE ON SCHEMA mv_ops TO mv_ops_test_owner;
    GRANT SELECT, UPDATE ON mv_ops.refresh_run, mv_ops.refresh_log TO mv_ops_test_owner;
    GRANT SELECT ON mv_ops.setting TO mv_ops_test_owner;
    GRANT EXECUTE ON FUNCTION mv_ops.clock(), mv_ops.clock_offset(), mv_ops.setting_interval(text),
      mv_ops.run_lock_key(bigint), mv_ops.session_alive(int, timestamptz, bigint, int) TO mv_ops_test_owner;
    ALTER FUNCTION ${fn} OWNER TO mv_ops_test_owner;`);
}

const attemptOf = async (run: number) => (await logOf(c, run))[0];
/** An idle session of the same login, standing for one that reused a dead refresh's pid. */
const bystanderPid = async () => (await bystander.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid as number;

/** A run that looks claimed by `pid` (as if its real session died and the pid was reused), its attempt running. */
async function deadRunOnPid(pid: number): Promise<number> {
  const { rows } = await c.query(`SELECT mv_ops.start_run(ARRAY['fx.other_mv'], NULL, false, 'manual', 'test') AS run`);
  const run = Number(rows[0].run);
  await c.query(
    `UPDATE mv_ops.refresh_run SET backend_pid = $2, backend_start = now() - interval '1 day' WHERE run_id = $1`,
    [run, pid]
  );
  await c.query(
    `UPDATE mv_ops.refresh_log SET status = 'running', backend_pid = $2, backend_start = now() - interval '1 day',
            started_at = mv_ops.clock() - interval '1 day' WHERE run_id = $1`,
    [run, pid]
  );
  return run;
}

describe('abandoned-run detection by a non-superuser owner', () => {
  test('a live run of another login is not reaped', async () => {
    const running = callRefresh(worker, `views => ARRAY['fx.slow']`);
    await ownedByNonSuperuser('mv_ops.reap_abandoned()');
    try {
      const { run_id } = await waitFor(
        async () =>
          (await c.query(`SELECT run_id FROM mv_ops.refresh_log WHERE view_name = 'fx.slow' AND status = 'running'`))
            .rows[0],
        'the refresh to start'
      );
      expect((await c.query(`SELECT mv_ops.reap_abandoned() AS n`)).rows[0].n).toBe(0);
      expect((await attemptOf(Number(run_id))).status).toBe('running');
    } finally {
      await c.query('ROLLBACK');
    }
    expect((await attemptOf(await running)).status).toBe('succeeded');
  });

  test('a dead run whose pid now belongs to an unrelated session is reaped', async () => {
    await ownedByNonSuperuser('mv_ops.reap_abandoned()');
    try {
      const run = await deadRunOnPid(await bystanderPid());
      expect((await c.query(`SELECT mv_ops.reap_abandoned() AS n`)).rows[0].n).toBe(1);
      expect((await attemptOf(run)).status).toBe('failed');
    } finally {
      await c.query('ROLLBACK');
    }
  });
});

describe('reaping beside a run that is finishing or was left behind', () => {
  test('a run whose session released its lock but has not yet committed its result is left as it finishes', async () => {
    const run = Number(
      (await worker.query(`SELECT mv_ops.start_run(ARRAY['fx.other_mv'], NULL, false, 'manual', 'test') AS run`))
        .rows[0].run
    );
    await worker.query(`SELECT mv_ops.claim_run($1)`, [run]);
    for (;;) {
      const step = (await worker.query(`SELECT mv_ops.next_step($1) AS step`, [run])).rows[0].step;
      if (step === null) {
        break;
      }
      await worker.query(`SELECT mv_ops.begin_step($1)`, [step]);
      await worker.query(`SELECT mv_ops.refresh_step($1)`, [step]);
    }
    // finish_run drops the run lock at once; its 'succeeded' becomes visible only at COMMIT.
    await worker.query('BEGIN');
    await worker.query(`SELECT mv_ops.finish_run($1)`, [run]);
    await ownedByNonSuperuser('mv_ops.reap_abandoned()');
    const watcher = await db.session();
    try {
      const reaping = c.query(`SELECT mv_ops.reap_abandoned() AS n`);
      await waitFor(
        async () =>
          (
            await watcher.query(
              `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'SELECT mv_ops.reap_abandoned()%'`
            )
          ).rowCount,
        'the reaper to wait for the finishing run'
      );
      await worker.query('COMMIT');
      expect((await reaping).rows[0].n).toBe(0);
    } finally {
      await c.query('ROLLBACK');
      await worker.query('ROLLBACK').catch(() => undefined);
    }
    const { rows } = await c.query(`SELECT status FROM mv_ops.refresh_run WHERE run_id = $1`, [run]);
    expect(rows).toEqual([{ status: 'succeeded' }]);
  });

  test('a run this session claimed and left unfinished is reaped by its next call, and its run lock released', async () => {
    const run = Number(
      (await worker.query(`SELECT mv_ops.start_run(ARRAY['fx.other_mv'], NULL, false, 'manual', 'test') AS run`))
        .rows[0].run
    );
    // As if the call that claimed it had failed between claim_run and finish_run.
    await worker.query(`SELECT mv_ops.claim_run($1)`, [run]);
    const heldRunLocks = async () =>
      (
        await c.query(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN mv_ops.refresh_run r ON r.backend_pid = l.pid
           WHERE r.run_id = $1 AND l.locktype = 'advisory' AND l.classid = hashtext('mv_ops.run')::oid`,
          [run]
        )
      ).rows[0].n;
    expect(await heldRunLocks()).toBe(1);
    const next = await callRefresh(worker, `views => ARRAY['fx.other_mv']`);
    expect((await c.query(`SELECT status FROM mv_ops.refresh_run WHERE run_id = $1`, [run])).rows).toEqual([
      { status: 'failed' },
    ]);
    expect((await attemptOf(run)).status).toBe('skipped');
    expect((await attemptOf(next)).status).toBe('succeeded');
    expect(await heldRunLocks()).toBe(0);
  });
});

describe('the overrun watchdog owned by a non-superuser', () => {
  test('cancels an overrunning refresh of another login', async () => {
    const setTimeoutSql = (v: string) =>
      c.query(`UPDATE mv_ops.setting SET value = $1 WHERE name = 'refresh_timeout'`, [v]);
    await setTimeoutSql('100 milliseconds');
    try {
      const running = callRefresh(worker, `views => ARRAY['fx.slow']`);
      await ownedByNonSuperuser('mv_ops.cancel_overrunning()');
      try {
        await waitFor(
          async () => (await c.query(`SELECT mv_ops.cancel_overrunning() AS n`)).rows[0].n === 1,
          'a cancel'
        );
      } finally {
        await c.query('ROLLBACK');
      }
      expect(await attemptOf(await running)).toMatchObject({ status: 'failed', sqlstate: '57014' });
    } finally {
      await setTimeoutSql('30 minutes');
    }
  });

  test('never cancels an unrelated session that reused the pid of a dead refresh', async () => {
    await ownedByNonSuperuser('mv_ops.cancel_overrunning()');
    try {
      await deadRunOnPid(await bystanderPid());
      const busy = bystander.query(`SELECT pg_sleep(1.5)`);
      // Inside a transaction pg_stat_activity is read once and kept: a first look before the query started would
      // otherwise never see it.
      await waitFor(async () => {
        await c.query(`SELECT pg_stat_clear_snapshot()`);
        return (
          await c.query(`SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(1.5)%' AND state = 'active'`)
        ).rowCount;
      }, 'the unrelated query to run');
      expect((await c.query(`SELECT mv_ops.cancel_overrunning() AS n`)).rows[0].n).toBe(0);
      await expect(busy).resolves.toBeDefined();
    } finally {
      await c.query('ROLLBACK');
    }
  });
});

describe('mv_ops.session_alive, as a role without pg_read_all_stats sees it (freshness uses it)', () => {
  test('true for the session running a refresh, false for an unrelated session on a reused pid', async () => {
    const running = callRefresh(worker, `views => ARRAY['fx.slow']`);
    await ownedByNonSuperuser('mv_ops.reap_abandoned()');
    try {
      const attempt = await waitFor(
        async () =>
          (
            await c.query(
              `SELECT backend_pid, backend_start, run_id, view_id FROM mv_ops.refresh_log WHERE view_name = 'fx.slow' AND status = 'running'`
            )
          ).rows[0],
        'the refresh to start'
      );
      const reusedPid = await bystanderPid();
      const deadRun = await deadRunOnPid(reusedPid);
      await c.query('SET LOCAL ROLE mv_ops_test_owner');
      const alive = async (a: { backend_pid: number; run_id: number; view_id?: number }) =>
        (
          await c.query(`SELECT mv_ops.session_alive($1, now() - interval '1 day', $2, $3) AS alive`, [
            a.backend_pid,
            a.run_id,
            a.view_id ?? null,
          ])
        ).rows[0].alive;
      expect(
        await c.query(`SELECT backend_start FROM pg_stat_activity WHERE pid = $1`, [attempt.backend_pid])
      ).toMatchObject({
        rows: [{ backend_start: null }],
      });
      expect(await alive(attempt)).toBe(true);
      expect(await alive({ backend_pid: attempt.backend_pid, run_id: attempt.run_id })).toBe(true); // run lock alone
      expect(await alive({ backend_pid: reusedPid, run_id: deadRun, view_id: attempt.view_id })).toBe(false);
    } finally {
      await c.query('ROLLBACK');
    }
    expect((await attemptOf(await running)).status).toBe('succeeded');
    // finish_run released the run lock: the session's next life is not mistaken for the finished run.
    const workerPid = (await worker.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid;
    expect(
      (await c.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = $1`, [workerPid])).rowCount
    ).toBe(0);
  });
});
