// The seed's operations, rebuilt on mv_ops: refresh, validation, freshness, rebuild, monitoring, rollback, roles.
import type { Client } from 'pg';
import { salesSeeder } from '../../server/src/seed/sales';
import { asRole, errorOf, openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(180_000);

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('sales_ops');
  c = await db.session();
  await salesSeeder.seed(c, { scale: 0.2, seed: 3, progress: () => undefined });
});
afterAll(() => db.close());

const lastRun = async () =>
  (
    await c.query(`SELECT view_name, status, refresh_type, key_count FROM mv_ops.refresh_log
                   WHERE run_id = (SELECT max(run_id) FROM mv_ops.refresh_run) ORDER BY position`)
  ).rows;

/** Per aggregate of the last run: "status refresh_type key_count". */
const lastRunKinds = async () =>
  Object.fromEntries(
    (await lastRun()).map((r) => [r.view_name.replace('pos.', ''), `${r.status} ${r.refresh_type} ${r.key_count}`])
  );

describe('seed-compatible operations', () => {
  test('pos.refresh_all_mv() succeeds twice in a row, a full refresh of all nine aggregates each time (defects 000-6, 000-11, 000-15)', async () => {
    await c.query(`CALL pos.refresh_all_mv()`);
    await c.query(`CALL pos.refresh_all_mv()`);
    const rows = await lastRun();
    expect(rows).toHaveLength(9);
    // A person's "refresh everything" is full; the tables stay readable throughout (no view to swap).
    expect(rows.every((r) => r.status === 'succeeded' && r.refresh_type === 'full' && r.key_count === null)).toBe(true);
  });

  test("a scheduled refresh after a first-time customer's sale is incremental: each aggregate recomputes only the keys that depend on the changed day", async () => {
    await c.query(`INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number, customer_phone_number, sales_net)
                   VALUES ('2025-01-15', '2025-01-15 12:00+07', 'incr-1', '0899990001', 10)`);
    await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')`);
    const keys = await lastRunKinds();
    expect(keys).toEqual({
      mv_daily_sales_summary: 'succeeded incremental 1',
      mv_customer_daily_visits: 'succeeded incremental 1',
      mv_product_performance: 'succeeded incremental 1',
      mv_customer_analytics: 'succeeded incremental 1',
      mv_weekly_sales_summary: 'succeeded incremental 1',
      // The month, and the month of the week starting 2025-01-13.
      mv_monthly_sales_summary: 'succeeded incremental 1',
      // The periods ending 2025-01-15 .. 2025-02-13 (the last 30 days that include the 15th).
      mv_dashboard_summary_cache: 'succeeded incremental 30',
      // The week and the next one, whose growth compares with it.
      mv_weekly_reports_cache: 'succeeded incremental 2',
      mv_monthly_reports_cache: 'succeeded incremental 2',
    });
  });

  test("a sale before a customer's next visit also recomputes that visit's day: its previous visit moved", async () => {
    const sale = (day: string, receipt: string) =>
      c.query(
        `INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number, customer_phone_number, sales_net)
               VALUES ($1, $1::date + time '12:00', $2, '0899990002', 10)`,
        [day, receipt]
      );
    await sale('2025-01-25', 'incr-2');
    await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')`);
    await sale('2025-01-15', 'incr-3');
    await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')`);
    const keys = await lastRunKinds();
    expect(keys).toEqual({
      mv_daily_sales_summary: 'succeeded incremental 1',
      mv_customer_daily_visits: 'succeeded incremental 1',
      mv_product_performance: 'succeeded incremental 1',
      // The 15th, and the 25th: its customer was not seen in the 10 days before it any more.
      mv_customer_analytics: 'succeeded incremental 2',
      // The weeks starting 2025-01-13 and 2025-01-20 (the 25th's visit changed).
      mv_weekly_sales_summary: 'succeeded incremental 2',
      mv_monthly_sales_summary: 'succeeded incremental 1',
      // The periods ending 2025-01-15 .. 2025-02-23 (those that include the 15th or the 25th).
      mv_dashboard_summary_cache: 'succeeded incremental 40',
      // The week of the 15th and the next: the week of the 25th counts its customer either way, so its row did not change.
      mv_weekly_reports_cache: 'succeeded incremental 2',
      mv_monthly_reports_cache: 'succeeded incremental 2',
    });
    const { rows } =
      await c.query(`SELECT date::text, previous_visit::text, is_first_visit FROM pos.mv_customer_daily_visits
                                    WHERE customer_key = '0899990002' ORDER BY date`);
    expect(rows).toEqual([
      { date: '2025-01-15', previous_visit: null, is_first_visit: true },
      { date: '2025-01-25', previous_visit: '2025-01-15', is_first_visit: false },
    ]);
  });

  test("schedules honour the seed: current-day tier every 15 minutes and stale past 15, weekly and monthly tiers, a monthly full refresh, in the venue's time zone", async () => {
    const { rows } = await c.query(
      `SELECT m.view_name, m.schedule, m.full_refresh_schedule AS full, m.warn_after::text AS warn, m.time_zone = s.value AS venue_tz
       FROM mv_ops.managed_view m CROSS JOIN pos.setting s WHERE m.pack = 'sales' AND s.name = 'time_zone' ORDER BY m.view_name`
    );
    const tier = (view: string) => rows.find((r) => r.view_name === view);
    for (const view of [
      'mv_daily_sales_summary',
      'mv_customer_daily_visits',
      'mv_customer_analytics',
      'mv_dashboard_summary_cache',
    ]) {
      expect(tier(view)).toMatchObject({ schedule: '*/15 * * * *', warn: '00:15:00' });
    }
    expect(tier('mv_weekly_sales_summary')?.schedule).toBe('0 2 * * 0');
    expect(tier('mv_monthly_sales_summary')?.schedule).toBe('0 3 1 * *');
    expect(rows).toHaveLength(9);
    expect(rows.every((r) => r.full === '0 3 1 * *' && r.venue_tz)).toBe(true);
    // Considered 96 times a day: each quarter-hour fires once.
    const { rows: fired } = await c.query(
      `SELECT count(*) FILTER (WHERE mv_ops.cron_fired('*/15 * * * *', 'Asia/Bangkok', t, t + interval '15 minutes'))::int AS n
       FROM generate_series(timestamptz '2025-03-01 00:00:01+07', timestamptz '2025-03-01 23:59:59+07', interval '15 minutes') t`
    );
    expect(fired[0].n).toBe(96);
  });

  test('manual_refresh_mv returns the seed JSON; an invalid name gets the seed error', async () => {
    const { rows } = await c.query(`CALL pos.manual_refresh_mv('weekly')`);
    expect(rows[0].result).toMatchObject({ success: true, view_refreshed: 'weekly', run_id: expect.any(Number) });
    expect(typeof rows[0].result.duration_ms).toBe('number');
    // The weekly group, plus what reads the weekly summary, in dependency order.
    expect((await lastRun()).map((r) => r.view_name)).toEqual([
      'pos.mv_weekly_sales_summary',
      'pos.mv_monthly_sales_summary',
      'pos.mv_weekly_reports_cache',
      'pos.mv_monthly_reports_cache',
    ]);
    const err = await errorOf(c.query(`CALL pos.manual_refresh_mv('x; DROP TABLE pos.lengolf_sales')`));
    expect(err.message).toBe('Invalid view_name: x; DROP TABLE pos.lengolf_sales. Use: all, daily, weekly, monthly');
  });

  test('validation passes on consistent data, fails with both values after a source change, passes after refresh', async () => {
    const results = async () => (await c.query(`SELECT * FROM pos.validate_views('2025-01-01', '2025-01-31')`)).rows;
    expect((await results()).every((r) => r.result === 'PASS')).toBe(true);
    await c.query(`UPDATE pos.lengolf_sales SET sales_net = sales_net + 100 WHERE id = (SELECT min(id) FROM pos.lengolf_sales
                   WHERE date = '2025-01-15' AND NOT is_voided)`);
    const failing = (await results()).find(
      (r) => r.view_name === 'mv_daily_sales_summary' && r.metric === 'total_revenue'
    );
    expect(failing.result).toBe('FAIL');
    expect(Number(failing.source_value) - Number(failing.view_value)).toBe(100);
    const alert = await c.query(`SELECT * FROM pos.validation_alert WHERE mismatch = 1`);
    expect(alert.rows).toEqual([]); // the alert watches the last 7 days of data, not January
    await c.query(`CALL pos.refresh_all_mv()`);
    expect((await results()).every((r) => r.result === 'PASS')).toBe(true);
  });

  test('freshness comes from the refresh log: monitor shows last_refresh, the check alerts on stale views (defect 000-10)', async () => {
    const monitor = await c.query(`SELECT matviewname, last_refresh, state FROM pos.mv_freshness_monitor`);
    expect(monitor.rows).toHaveLength(9);
    expect(monitor.rows.every((r) => r.last_refresh instanceof Date && r.state === 'fresh')).toBe(true);
    expect((await c.query(`SELECT pos.check_mv_freshness() AS m`)).rows[0].m).toBe(
      'OK: All materialized views are fresh'
    );
    await c.query(
      `INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number, sales_net) VALUES ('2025-07-06', now(), 'late', 10)`
    );
    await c.query(`SET mv_ops.clock_offset = '2 hours'`);
    try {
      const message = (await c.query(`SELECT pos.check_mv_freshness() AS m`)).rows[0].m as string;
      expect(message).toMatch(/^ALERT: Stale materialized views: /);
      expect(message).toContain('pos.mv_daily_sales_summary (stale)');
    } finally {
      await c.query(`RESET mv_ops.clock_offset`);
    }
  });

  test('emergency_rebuild_mv really rebuilds every aggregate: new indexes, every row recomputed from the source (a corrupted row is repaired), grants kept (defect 000-12)', async () => {
    const aggregates = `SELECT c.oid::int, c.relname, (SELECT count(*) FROM pg_index i WHERE i.indrelid = c.oid) AS idx,
                               (SELECT array_agg(i.indexrelid::regclass::text || ':' || pg_relation_filenode(i.indexrelid) ORDER BY 1)
                                FROM pg_index i WHERE i.indrelid = c.oid) AS files
                        FROM pg_class c JOIN mv_ops.managed_view m ON m.schema_name = 'pos' AND m.view_name = c.relname
                        WHERE c.relnamespace = 'pos'::regnamespace ORDER BY relname`;
    const before = await c.query(aggregates);
    expect(before.rows).toHaveLength(9);
    // Damage no incremental refresh would notice: no source change points at it.
    await c.query(
      `UPDATE pos.mv_daily_sales_summary SET total_revenue = -1 WHERE date = (SELECT min(date) FROM pos.mv_daily_sales_summary)`
    );
    const expectedRows = (
      await c.query(`SELECT count(DISTINCT (date, COALESCE(product_category, '(none)'), COALESCE(product_name, '(none)')))::int AS n
                     FROM pos.lengolf_sales WHERE NOT is_voided`)
    ).rows[0].n;
    const { rows } = await c.query(`CALL pos.emergency_rebuild_mv()`);
    expect(rows[0].result).toMatchObject({ success: true, operation: 'emergency_rebuild', views_rebuilt: 9 });
    const after = await c.query(aggregates);
    expect(after.rows.map((r) => [r.relname, r.idx])).toEqual(before.rows.map((r) => [r.relname, r.idx]));
    // The same tables (readers never lost them), every index file new.
    expect(after.rows.map((r) => r.oid)).toEqual(before.rows.map((r) => r.oid));
    expect(
      after.rows.flatMap((r) => r.files).some((f: string) => before.rows.flatMap((r) => r.files).includes(f))
    ).toBe(false);
    expect(
      (await c.query(`SELECT count(*)::int AS n FROM pos.mv_daily_sales_summary WHERE total_revenue < 0`)).rows[0].n
    ).toBe(0);
    const types = await c.query(`SELECT DISTINCT refresh_type FROM mv_ops.refresh_log
                                 WHERE run_id = (SELECT max(run_id) FROM mv_ops.refresh_run)`);
    expect(types.rows).toEqual([{ refresh_type: 'full' }]);
    expect((await c.query(`SELECT count(*)::int AS n FROM pos.mv_product_performance`)).rows[0].n).toBe(expectedRows);
    await asRole(c, 'mv_ops_reader', async () => {
      expect((await c.query(`SELECT count(*)::int AS n FROM pos.mv_daily_sales_summary`)).rows[0].n).toBeGreaterThan(0);
    });
  });

  test('performance_monitoring reports measured calls and buffers, not typed-in numbers (defect 000-13)', async () => {
    const count = async () =>
      Number(
        (await c.query(`SELECT query_count FROM pos.performance_monitoring WHERE query_type = 'dashboard_summary_mv'`))
          .rows[0]?.query_count ?? 0
      );
    const before = await count();
    for (let i = 0; i < 3; i++) {
      await c.query(
        `SELECT pos.get_dashboard_summary_enhanced_mv('2025-06-01', '2025-06-30', '2025-05-01', '2025-05-30')`
      );
    }
    expect(await count()).toBe(before + 3);
    const row = (await c.query(`SELECT * FROM pos.performance_monitoring WHERE query_type = 'dashboard_summary_mv'`))
      .rows[0];
    expect(Number(row.avg_buffer_hits)).toBeGreaterThan(0);
  });

  test('the rollback switch moves get_dashboard_summary to the live computation and back (defect 000-14)', async () => {
    const revenue = async () =>
      Number(
        (await c.query(`SELECT pos.get_dashboard_summary('2025-06-01', '2025-06-30', '2025-05-01', '2025-05-30') AS r`))
          .rows[0].r.current_period.total_revenue
      );
    const fromViews = await revenue();
    // A sale the views have not seen yet: only the live computation counts it.
    await c.query(
      `INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number, sales_net) VALUES ('2025-06-10', now(), 'new', 1000)`
    );
    expect(await revenue()).toBe(fromViews);
    await c.query(`UPDATE pos.setting SET value = 'false' WHERE name = 'use_materialized_views'`);
    try {
      expect(await revenue()).toBe(fromViews + 1000);
    } finally {
      await c.query(`UPDATE pos.setting SET value = 'true' WHERE name = 'use_materialized_views'`);
    }
    expect(await revenue()).toBe(fromViews);
  });
});

describe('sales pack as each role sees it', () => {
  test('a reader reads the views and the report functions but not the raw sales', async () => {
    await asRole(c, 'mv_ops_reader', async () => {
      const { rows } = await c.query(
        `SELECT pos.get_dashboard_summary_enhanced_mv('2025-06-01', '2025-06-30', '2025-05-01', '2025-05-30') AS r`
      );
      expect(rows[0].r.current_period.transaction_count).toBeGreaterThan(0);
      expect((await errorOf(c.query(`SELECT count(*) FROM pos.lengolf_sales`))).message).toMatch(/permission denied/);
    });
    await asRole(c, 'mv_ops_reader', async () => {
      expect((await errorOf(c.query(`CALL pos.refresh_all_mv()`))).message).toMatch(/permission denied/);
    });
  });

  test('an operator may run the seed refresh procedures', async () => {
    await c.query(`SET ROLE mv_ops_operator`);
    try {
      await c.query(`CALL pos.refresh_all_mv()`);
    } finally {
      await c.query(`RESET ROLE`);
    }
    expect((await lastRun()).every((r) => r.status === 'succeeded')).toBe(true);
  });
});
