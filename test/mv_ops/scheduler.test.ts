import { Client } from 'pg';
import { ENV, requireUrl } from '../harness/testDatabase';
import { openTestDatabase, waitFor } from '../harness/sql';

jest.setTimeout(60_000);

describe('with pg_cron (the cluster cron database)', () => {
  let c: Client;
  beforeAll(async () => {
    c = new Client({ connectionString: requireUrl(ENV.main) });
    await c.connect();
  });
  afterAll(() => c.end());

  test('the named jobs exist with their schedules', async () => {
    const { rows } = await c.query(
      `SELECT jobname, schedule, command FROM cron.job WHERE jobname LIKE 'mv\\_ops\\_%' ORDER BY jobname`
    );
    expect(rows).toEqual([
      { jobname: 'mv_ops_prune_cron_history', schedule: '23 3 * * *', command: 'SELECT mv_ops.prune_cron_history()' },
      {
        jobname: 'mv_ops_prune_log',
        schedule: '17 3 * * *',
        command: 'SELECT mv_ops.prune_log(); SELECT mv_ops.prune_source_changes()',
      },
      { jobname: 'mv_ops_run_due', schedule: '* * * * *', command: 'CALL mv_ops.run_due()' },
      { jobname: 'mv_ops_watchdog', schedule: '* * * * *', command: 'SELECT mv_ops.cancel_overrunning()' },
    ]);
  });

  test("running the due-views job's command refreshes a view that is due", async () => {
    await c.query(`
      CREATE SCHEMA IF NOT EXISTS cronfx;
      CREATE TABLE cronfx.t (id int PRIMARY KEY);
      INSERT INTO cronfx.t VALUES (1), (2);
      CREATE MATERIALIZED VIEW cronfx.mv AS SELECT id FROM cronfx.t WITH NO DATA;
      CREATE UNIQUE INDEX ON cronfx.mv (id);
      SELECT mv_ops.register_view('cronfx.mv', 'cronfx', 'cron fixture', '* * * * *', '5 minutes', '10 minutes');`);
    const { rows } = await c.query(`SELECT command FROM cron.job WHERE jobname = 'mv_ops_run_due'`);
    await c.query(rows[0].command);
    // pg_cron itself may have got there first; either way the scheduled path refreshed it.
    const log = await c.query(
      `SELECT trigger, status FROM mv_ops.refresh_log WHERE view_name = 'cronfx.mv' ORDER BY log_id`
    );
    expect(log.rows[0]).toEqual({ trigger: 'schedule', status: 'succeeded' });
    expect((await c.query(`SELECT count(*)::int AS n FROM cronfx.mv`)).rows[0].n).toBe(2);
  });

  test('pg_cron runs the job on its own within a minute or so', async () => {
    await c.query(`INSERT INTO cronfx.t VALUES (3)`);
    await waitFor(
      async () => (await c.query(`SELECT 1 FROM cronfx.mv WHERE id = 3`)).rowCount === 1,
      'pg_cron to refresh cronfx.mv',
      75_000
    );
    const { rows } = await c.query(
      `SELECT scheduler, job_name FROM mv_ops.scheduler_status() WHERE job_name = 'mv_ops_run_due'`
    );
    expect(rows).toEqual([{ scheduler: 'pg_cron', job_name: 'mv_ops_run_due' }]);
  }, 90_000);

  test('the cron history job deletes cron.job_run_details rows older than cron_history_retention and keeps newer ones', async () => {
    const marker = `SELECT 'prune test ${process.pid}'`;
    const { rows: settings } = await c.query(`SELECT value FROM mv_ops.setting WHERE name = 'cron_history_retention'`);
    const retention = settings[0].value as string;
    await c.query(
      `INSERT INTO cron.job_run_details (jobid, job_pid, database, username, command, status, return_message, start_time, end_time)
       SELECT (SELECT jobid FROM cron.job WHERE jobname = 'mv_ops_run_due'), 0, current_database(), current_user, $1,
              'succeeded', '1 row', now() - age, now() - age
       FROM (VALUES ($2::interval + interval '1 day'), ($2::interval - interval '1 day')) a(age)`,
      [marker, retention]
    );
    const { rows: job } = await c.query(`SELECT command FROM cron.job WHERE jobname = 'mv_ops_prune_cron_history'`);
    await c.query(job[0].command);
    const { rows } = await c.query(
      `SELECT now() - end_time < $2::interval AS recent FROM cron.job_run_details WHERE command = $1`,
      [marker, retention]
    );
    expect(rows).toEqual([{ recent: true }]);
    await c.query(`DELETE FROM cron.job_run_details WHERE command = $1`, [marker]);
  });
});

describe('without pg_cron', () => {
  test('migrations succeeded and the status says there is no scheduler', async () => {
    const db = await openTestDatabase('nocron');
    const c = await db.session();
    try {
      expect((await c.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_cron'`)).rowCount).toBe(0);
      const { rows } = await c.query(`SELECT scheduler, command FROM mv_ops.scheduler_status()`);
      expect(rows).toEqual([{ scheduler: 'none', command: expect.stringContaining('CALL mv_ops.run_due()') }]);
    } finally {
      await db.close();
    }
  });
});
