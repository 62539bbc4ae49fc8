import type { Client } from 'pg';
import { callRefresh, installThreeTier, logOf } from '../fixtures/threeTier';
import { openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('cascade');
  c = await db.session();
  await installThreeTier(c);
});
afterAll(() => db.close());

describe('CALL mv_ops.refresh', () => {
  test('cascade: refreshing the base tier refreshes its dependents after it, in dependency order', async () => {
    const run = await callRefresh(c, `views => ARRAY['fx.daily']`);
    const log = await logOf(c, run);
    expect(log.map((l) => [l.view_name, l.trigger, l.status])).toEqual([
      ['fx.daily', 'manual', 'succeeded'],
      ['fx.weekly', 'cascade', 'succeeded'],
      ['fx.total', 'cascade', 'succeeded'],
    ]);
    // Each starts only after the one it reads has finished.
    expect(log[1].started_at.getTime()).toBeGreaterThanOrEqual(log[0].finished_at.getTime());
    expect(log[2].started_at.getTime()).toBeGreaterThanOrEqual(log[1].finished_at.getTime());
    const { rows } = await c.query(`SELECT amount::int FROM fx.total`);
    expect(rows).toEqual([{ amount: 100 }]);
  });

  test('the first refresh is plain, later ones CONCURRENTLY (defect 000-11)', async () => {
    const run = await callRefresh(c, `views => ARRAY['daily'], cascade => false`);
    const { rows } = await c.query(
      `SELECT run_id::int, refreshed_concurrently AS c FROM mv_ops.refresh_log WHERE view_name = 'fx.daily' ORDER BY log_id`
    );
    expect(rows).toEqual([
      { run_id: run - 1, c: false },
      { run_id: run, c: true },
    ]);
  });

  test('isolation: a failing view is logged with its SQLSTATE, its dependents skipped, others succeed, old rows still served (defects 000-15, 004-9)', async () => {
    await c.query(`INSERT INTO fx.sale (day, amount, qty) VALUES ('2025-01-11', 5, 0)`); // sum(qty) = 0 that day
    const run = await callRefresh(c, `pack => 'fx'`);
    const log = await logOf(c, run);
    const byView = Object.fromEntries(log.map((l) => [l.view_name, l]));
    expect(byView['fx.daily']).toMatchObject({ status: 'failed', sqlstate: '22012', message: 'division by zero' });
    expect(byView['fx.weekly']).toMatchObject({
      status: 'skipped',
      message: 'skipped: upstream fx.daily did not refresh',
    });
    expect(byView['fx.total']).toMatchObject({ status: 'skipped' });
    expect(byView['fx.other_mv']).toMatchObject({ status: 'succeeded' });
    const daily = await c.query(`SELECT count(*)::int AS n FROM fx.daily`);
    expect(daily.rows[0].n).toBe(10);
    const runRow = await c.query(`SELECT status FROM mv_ops.refresh_run WHERE run_id = $1`, [run]);
    expect(runRow.rows[0].status).toBe('failed');
  });
});
