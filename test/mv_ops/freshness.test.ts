import type { Client } from 'pg';
import { callRefresh, installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('freshness');
  c = await db.session();
  await installThreeTier(c);
});
afterAll(() => db.close());

const stateAfter = async (minutes: number) =>
  (
    await c.query(
      `SELECT view_name, state, lag_seconds::float8 AS lag FROM mv_ops.freshness_at(now() + make_interval(mins => $1))
       WHERE view_name IN ('fx.daily', 'fx.total', 'fx.other_mv') ORDER BY view_name`,
      [minutes]
    )
  ).rows;

describe('freshness status', () => {
  test('never refreshed views say so', async () => {
    expect((await stateAfter(0)).map((r) => r.state)).toEqual([
      'never_refreshed',
      'never_refreshed',
      'never_refreshed',
    ]);
  });

  test('fresh with zero lag after a refresh, then fresh -> warn -> stale as time passes after a source change (defect 000-10)', async () => {
    await callRefresh(c, 'NULL');
    expect(await stateAfter(600)).toEqual([
      { view_name: 'fx.daily', state: 'fresh', lag: 0 },
      { view_name: 'fx.other_mv', state: 'fresh', lag: 0 },
      { view_name: 'fx.total', state: 'fresh', lag: 0 },
    ]);
    await c.query(`INSERT INTO fx.sale (day, amount) VALUES ('2025-01-12', 1)`);
    const at = async (m: number) => (await stateAfter(m)).map((r) => `${r.view_name}:${r.state}`);
    expect(await at(10)).toEqual(['fx.daily:fresh', 'fx.other_mv:fresh', 'fx.total:fresh']);
    expect(await at(45)).toEqual(['fx.daily:warn', 'fx.other_mv:fresh', 'fx.total:warn']);
    expect(await at(150)).toEqual(['fx.daily:stale', 'fx.other_mv:fresh', 'fx.total:stale']);
    const lag = (await stateAfter(150))[0].lag;
    expect(lag).toBeGreaterThanOrEqual(150 * 60);
    expect(lag).toBeLessThan(151 * 60);
  });

  test('a failed refresh makes the view failing, with its SQLSTATE and message', async () => {
    await c.query(`INSERT INTO fx.sale (day, amount, qty) VALUES ('2025-01-13', 1, 0)`);
    await callRefresh(c, `views => ARRAY['fx.daily']`);
    const { rows } = await c.query(`SELECT state, last_error FROM mv_ops.freshness WHERE view_name = 'fx.daily'`);
    expect(rows).toEqual([{ state: 'failing', last_error: '22012: division by zero' }]);
  });

  test('a paused view is "paused"', async () => {
    await c.query(`SELECT mv_ops.set_enabled('fx.other_mv', false)`);
    const { rows } = await c.query(`SELECT state FROM mv_ops.freshness WHERE view_name = 'fx.other_mv'`);
    expect(rows).toEqual([{ state: 'paused' }]);
  });

  test('the status row carries thresholds, durations, size and rows', async () => {
    const { rows } = await c.query(`SELECT * FROM mv_ops.freshness WHERE view_name = 'fx.weekly'`);
    expect(rows[0]).toMatchObject({ warn_after_seconds: '1800', error_after_seconds: '7200', row_estimate: '2' });
    expect(Number(rows[0].size_bytes)).toBeGreaterThan(0);
    expect(Number(rows[0].last_duration_ms)).toBeGreaterThan(0);
    expect(Number(rows[0].typical_duration_ms)).toBeGreaterThan(0);
  });

  test('the alert query has string labels (view, pack, refresh and read mode) and exactly one numeric column, no time column, unique label sets', async () => {
    const { fields, rows } = await c.query(`SELECT * FROM mv_ops.freshness_alert`);
    const types = await c.query(`SELECT oid::int, typname FROM pg_type WHERE oid = ANY($1)`, [
      fields.map((f) => f.dataTypeID),
    ]);
    const typeName = (oid: number) => types.rows.find((t) => t.oid === oid)!.typname;
    expect(fields.map((f) => [f.name, typeName(f.dataTypeID)])).toEqual([
      ['view', 'text'],
      ['pack', 'text'],
      ['severity', 'float8'],
      ['refresh_mode', 'text'],
      ['read_mode', 'text'],
    ]);
    // Materialized views are refreshed whole and read as stored; the sales aggregates are incremental, and the
    // four whose current day (week, month) the report functions read live say so.
    const modes = (pick: (view: string) => boolean) =>
      new Set(rows.filter((r) => pick(r.view)).map((r) => `${r.refresh_mode}|${r.read_mode}`));
    expect(modes((v) => v.startsWith('fx.'))).toEqual(new Set(['full|stored']));
    expect(modes((v) => v.startsWith('pos.'))).toEqual(new Set(['incremental|stored', 'incremental|zero_lag']));
    expect(
      rows
        .filter((r) => r.read_mode === 'zero_lag')
        .map((r) => r.view)
        .sort()
    ).toEqual([
      'pos.mv_customer_analytics',
      'pos.mv_daily_sales_summary',
      'pos.mv_monthly_reports_cache',
      'pos.mv_weekly_reports_cache',
    ]);
    expect(new Set(rows.map((r) => `${r.view}|${r.pack}`)).size).toBe(rows.length);
    const severity = Object.fromEntries(rows.map((r) => [r.view, r.severity]));
    expect(severity).toMatchObject({ 'fx.daily': 3, 'fx.other_mv': 0 });
  });

  test('alert severity is 1 while a view is warn and 2 once it is stale (fx.total waits on the failing fx.daily)', async () => {
    const severityAfter = async (offset: string) => {
      await c.query(`SELECT set_config('mv_ops.clock_offset', $1, false)`, [offset]);
      const { rows } = await c.query(
        `SELECT f.state, a.severity FROM mv_ops.freshness f JOIN mv_ops.freshness_alert a ON a.view = f.view_name
         WHERE f.view_name = 'fx.total'`
      );
      return rows[0];
    };
    try {
      expect(await severityAfter('45 minutes')).toEqual({ state: 'warn', severity: 1 });
      expect(await severityAfter('150 minutes')).toEqual({ state: 'stale', severity: 2 });
    } finally {
      await c.query(`RESET mv_ops.clock_offset`);
    }
  });
});
