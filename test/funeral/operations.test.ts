// The seed's operations on top of mv_ops: registration and cadences, the refresh procedures, the refresh log,
// the monitoring view and the usage statistics.
import type { Client } from 'pg';
import { installFanout } from '../fixtures/funeralFanout';
import { asRole, errorOf, openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('funeral_ops');
  c = await db.session();
  await installFanout(c);
});
afterAll(() => db.close());

const asOperator = async <T>(fn: () => Promise<T>): Promise<T> => {
  // The procedures commit, so they cannot run inside asRole's transaction: switch the session's role instead.
  await c.query(`SET ROLE mv_ops_operator`);
  try {
    return await fn();
  } finally {
    await c.query(`RESET ROLE`);
  }
};

describe('registration in mv_ops', () => {
  test("the six materialized views and the availability aggregate are registered with the seed's cadences and a weekly full refresh", async () => {
    const { rows } = await c.query(
      `SELECT view_name, kind, schedule, full_refresh_schedule AS weekly, date_relative FROM mv_ops.managed_view
       WHERE pack = 'funeral' ORDER BY view_name`
    );
    const weekly = '0 3 * * 0';
    const mv = 'materialized_view';
    expect(rows).toEqual([
      { view_name: 'mv_customer_lifetime_value', kind: mv, schedule: '0 2 * * *', weekly, date_relative: false },
      { view_name: 'mv_financial_summary', kind: mv, schedule: '0 2 * * *', weekly, date_relative: true },
      { view_name: 'mv_location_availability', kind: mv, schedule: '0 * * * *', weekly, date_relative: true },
      { view_name: 'mv_organization_dashboard', kind: mv, schedule: '0 2 * * *', weekly, date_relative: true },
      { view_name: 'mv_search_index', kind: mv, schedule: '0 * * * *', weekly, date_relative: false },
      { view_name: 'mv_service_performance', kind: mv, schedule: '0 */6 * * *', weekly, date_relative: true },
      { view_name: 'realtime_availability', kind: 'aggregate', schedule: '*/15 * * * *', weekly, date_relative: true },
    ]);
  });

  test('views with CURRENT_DATE windows are out of date when the day turns, even without changes (defect 004-7)', async () => {
    const { rows } = await c.query(
      `SELECT m.view_name, s.day_turned FROM mv_ops.view_state_at(now() + interval '1 day') s
       JOIN mv_ops.managed_view m USING (view_id) WHERE m.pack = 'funeral' AND s.day_turned ORDER BY 1`
    );
    expect(rows.map((r) => r.view_name)).toEqual([
      'mv_financial_summary',
      'mv_location_availability',
      'mv_organization_dashboard',
      'mv_service_performance',
      'realtime_availability',
    ]);
  });

  test('a source change makes the views that read it due at their next tick', async () => {
    await c.query(`UPDATE funeral.organizations SET rating = 4.6 WHERE id = 1`);
    const { rows } = await c.query(
      `SELECT m.view_name FROM mv_ops.view_state_at(now()) s JOIN mv_ops.managed_view m USING (view_id)
       WHERE m.pack = 'funeral' AND s.sources_changed ORDER BY 1`
    );
    expect(rows.map((r) => r.view_name)).toEqual([
      'mv_financial_summary',
      'mv_organization_dashboard',
      'mv_search_index',
    ]);
  });
});

describe('refresh procedures (seed names, built on mv_ops.refresh)', () => {
  test('refresh_materialized_view refreshes one registry view, logged under the seed name (defects 004-8, 004-9)', async () => {
    const { rows } = await asOperator(() => c.query(`CALL funeral.refresh_materialized_view('mv_search_index')`));
    const log = await c.query(
      `SELECT view_name, refresh_type, status, rows_affected FROM funeral.materialized_view_refresh_logs
       WHERE id = (SELECT 'mv_ops:' || max(log_id) FROM mv_ops.refresh_log WHERE run_id = $1)`,
      [rows[0].run_id]
    );
    expect(log.rows).toEqual([
      { view_name: 'mv_search_index', refresh_type: 'full', status: 'completed', rows_affected: '2' },
    ]);
    expect(
      (await c.query(`SELECT rating FROM funeral_mv.mv_search_index WHERE organization_id = 1`)).rows[0].rating
    ).toBe('4.60');
  });

  test.each([
    ['pg_class', 'unknown view "pg_class": not a funeral materialized view'],
    [
      'mv_search_index; DROP TABLE funeral.users',
      'unknown view "mv_search_index; DROP TABLE funeral.users": not a funeral materialized view',
    ],
    ['pos.mv_daily_sales_summary', 'unknown view "pos.mv_daily_sales_summary": not a funeral materialized view'],
  ])('refuses %p without running anything', async (name, message) => {
    const before = (await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_run`)).rows[0].n;
    const err = await asOperator(() => errorOf(c.query(`CALL funeral.refresh_materialized_view($1)`, [name])));
    expect([err.message, err.code]).toEqual([message, '22023']);
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_run`)).rows[0].n).toBe(before);
  });

  test('refresh_all_materialized_views refreshes the six views and the availability aggregate (in full) in one run', async () => {
    const { rows } = await asOperator(() => c.query(`CALL funeral.refresh_all_materialized_views()`));
    const run = await c.query(
      `SELECT count(*)::int AS n, bool_and(status = 'succeeded') AS ok FROM mv_ops.refresh_log WHERE run_id = $1`,
      [rows[0].run_id]
    );
    expect(run.rows[0]).toEqual({ n: 7, ok: true });
    const agg = await c.query(
      `SELECT refresh_type, status FROM funeral.materialized_view_refresh_logs
       WHERE view_name = 'mv_realtime_availability' AND id IN (SELECT 'mv_ops:' || log_id FROM mv_ops.refresh_log WHERE run_id = $1)`,
      [rows[0].run_id]
    );
    expect(agg.rows).toEqual([{ refresh_type: 'full', status: 'completed' }]);
  });

  test('tenant roles can run neither procedure', async () => {
    for (const role of ['funeral_tenant', 'funeral_authenticated', 'funeral_anon', 'mv_ops_reader']) {
      await c.query(`SET ROLE ${role}`);
      try {
        expect((await errorOf(c.query(`CALL funeral.refresh_all_materialized_views()`))).message).toMatch(
          /permission denied/
        );
      } finally {
        await c.query(`RESET ROLE`);
      }
    }
  });
});

describe('monitoring', () => {
  test('the availability aggregate has a freshness state and joins the pack in one alert view', async () => {
    await asRole(c, 'mv_ops_reader', async () => {
      const { rows } = await c.query(`SELECT state FROM funeral.realtime_availability_freshness`);
      expect(rows).toEqual([{ state: 'fresh' }]);
      const alert = await c.query(`SELECT view, severity FROM funeral.freshness_alert ORDER BY view`);
      expect(alert.rows).toHaveLength(7);
      expect(alert.rows.find((r) => r.view === 'funeral_mv.realtime_availability')).toEqual({
        view: 'funeral_mv.realtime_availability',
        severity: 0,
      });
    });
  });

  test('an availability refresh that fails in mv_ops is logged with its SQLSTATE and shows as failing', async () => {
    // A constraint no aggregate row satisfies makes the refresh fail; mv_ops rolls back only this attempt.
    await c.query(
      `ALTER TABLE funeral_mv.realtime_availability ADD CONSTRAINT t_fail CHECK (total_slots < 0) NOT VALID`
    );
    try {
      const before = (await c.query(`SELECT count(*)::int AS n FROM funeral_mv.realtime_availability`)).rows[0].n;
      const { rows } = await asOperator(() =>
        c.query(`CALL funeral.refresh_materialized_view('mv_realtime_availability')`)
      );
      const log = await c.query(`SELECT status, sqlstate FROM mv_ops.refresh_log WHERE run_id = $1`, [rows[0].run_id]);
      expect(log.rows).toEqual([{ status: 'failed', sqlstate: '23514' }]);
      expect((await c.query(`SELECT count(*)::int AS n FROM funeral_mv.realtime_availability`)).rows[0].n).toBe(before);
      await asRole(c, 'mv_ops_reader', async () => {
        const f = await c.query(`SELECT state, last_error FROM funeral.realtime_availability_freshness`);
        expect(f.rows[0].state).toBe('failing');
        expect(f.rows[0].last_error).toMatch(/^23514: .*t_fail/);
        const alert = await c.query(
          `SELECT severity FROM funeral.freshness_alert WHERE view = 'funeral_mv.realtime_availability'`
        );
        expect(alert.rows).toEqual([{ severity: 3 }]);
        const seedLog = await c.query(
          `SELECT status, error_message FROM funeral.materialized_view_refresh_logs
           WHERE id IN (SELECT 'mv_ops:' || log_id FROM mv_ops.refresh_history WHERE run_id = $1)`,
          [rows[0].run_id]
        );
        expect(seedLog.rows).toEqual([{ status: 'failed', error_message: expect.stringMatching(/^23514: .*t_fail/) }]);
      });
    } finally {
      await c.query(`ALTER TABLE funeral_mv.realtime_availability DROP CONSTRAINT t_fail`);
    }
    await asOperator(() => c.query(`CALL funeral.refresh_materialized_view('mv_realtime_availability')`));
    expect((await c.query(`SELECT state FROM funeral.realtime_availability_freshness`)).rows).toEqual([
      { state: 'fresh' },
    ]);
  });

  test('a failing direct call of the seed function is logged in the seed log, not raised', async () => {
    await c.query('BEGIN');
    try {
      await c.query(
        `ALTER TABLE funeral_mv.realtime_availability ADD CONSTRAINT t_fail CHECK (total_slots < 0) NOT VALID`
      );
      const { rows } = await c.query(`SELECT refresh_type FROM funeral.refresh_realtime_availability(false)`);
      expect(rows).toHaveLength(1);
      const log = await c.query(
        `SELECT status, error_message FROM funeral.materialized_view_refresh_logs
         WHERE id = (SELECT 'aggregate:' || max(log_id) FROM funeral_mv.aggregate_refresh_log)`
      );
      expect(log.rows).toEqual([{ status: 'failed', error_message: expect.stringMatching(/^23514: .*t_fail/) }]);
    } finally {
      await c.query('ROLLBACK');
    }
  });

  test('mv_monitoring lists the seven views with sizes, last refresh and refreshes today, for readers', async () => {
    await asRole(c, 'mv_ops_reader', async () => {
      const { rows } = await c.query(
        `SELECT matviewname, storage, last_refresh IS NOT NULL AS refreshed, refreshes_today > 0 AS today, total_bytes > 0 AS sized
         FROM funeral.mv_monitoring ORDER BY matviewname`
      );
      expect(rows).toHaveLength(7);
      expect(rows.every((r) => r.refreshed && r.today && r.sized)).toBe(true);
      expect(rows.find((r) => r.matviewname === 'mv_realtime_availability').storage).toBe('table (incremental)');
    });
  });

  test('tenants cannot read the refresh log or the monitoring view', async () => {
    for (const role of ['funeral_tenant', 'funeral_anon']) {
      await asRole(c, role, async () => {
        expect((await errorOf(c.query(`SELECT * FROM funeral.mv_monitoring`))).message).toMatch(/permission denied/);
      });
    }
  });

  test('get_mv_usage_stats counts reads of a view from pg_stat_statements (defect 004-10)', async () => {
    for (let i = 0; i < 3; i++) {
      await c.query(`SELECT count(*) FROM funeral_mv.mv_search_index WHERE city = $1`, ['Springfield']);
    }
    const { rows } =
      await c.query(`SELECT view_name, total_calls, stats_since IS NOT NULL AS since FROM funeral.get_mv_usage_stats(7)
                                    WHERE view_name = 'mv_search_index'`);
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].total_calls)).toBeGreaterThanOrEqual(3);
    expect(rows[0].since).toBe(true);
  });

  test('get_mv_usage_stats says clearly when pg_stat_statements is not installed', async () => {
    await c.query(`DROP EXTENSION pg_stat_statements`);
    const err = await errorOf(c.query(`SELECT * FROM funeral.get_mv_usage_stats(7)`));
    expect([err.code, err.message]).toEqual([
      '55000',
      expect.stringMatching(/^pg_stat_statements is not installed in database \S+: no usage statistics are available$/),
    ]);
    expect(err.hint).toContain('shared_preload_libraries');
  });
});
