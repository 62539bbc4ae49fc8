// The dashboard cache's incremental refresh by period (0124, 0125): a changed day is recomputed in exactly the periods
// that hold it (pos.dashboard_periods_holding), the rows of those periods equal a full recompute's
// (pos.dashboard_summary_period_rows), and mv_ops.apply_parts writes those periods only; beyond 400 periods the
// routine recomputes every period of the dates instead.
import type { Client } from 'pg';
import { salesSeeder } from '../../server/src/seed/sales';
import { errorOf, openTestDatabase, type TestDb } from '../harness/sql';
import { aggregateRows } from './support/aggregates';

jest.setTimeout(180_000);

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('sales_dashboard_periods');
  c = await db.session();
  await salesSeeder.seed(c, { scale: 0.05, seed: 5, progress: () => undefined });
});
afterAll(() => db.close());

type Period = { reference_date: string; period_type: string };
const key = (p: Period) => `${p.reference_date} ${p.period_type}`;

/** Days to probe: the data's first and last, a month's first and last, one in the middle of a month. */
async function probeDays(): Promise<string[]> {
  const { rows } = await c.query<{ day: string }>(`
    WITH d AS (SELECT min(date) AS lo, max(date) AS hi FROM pos.mv_daily_sales_summary)
    SELECT x::text AS day FROM d, LATERAL (VALUES (d.lo), (d.hi), (date_trunc('month', d.lo + 40)::date),
                                                  ((date_trunc('month', d.lo + 40) - interval '1 day')::date), (d.lo + 55)) v(x)`);
  return rows.map((r) => r.day);
}

test.each([[0], [1], [2], [3], [4]])(
  'the periods listed for a changed day (probe %i) are exactly the stored periods that hold it',
  async (i) => {
    const day = (await probeDays())[i];
    const stored = await c.query<Period>(
      `SELECT reference_date::text, period_type FROM pos.mv_dashboard_summary_cache
       WHERE start_date <= $1::date AND $1::date <= end_date ORDER BY 1, 2`,
      [day]
    );
    const listed = await c.query<Period>(
      `SELECT h.reference_date::text, h.period_type FROM pos.dashboard_periods_holding(ARRAY[$1::date]) h
       JOIN pos.mv_dashboard_summary_cache m USING (reference_date, period_type) ORDER BY 1, 2`,
      [day]
    );
    expect(stored.rows.length).toBeGreaterThan(0);
    expect(listed.rows.map(key)).toEqual(stored.rows.map(key));
  }
);

test.each([
  // A 31-day month's first day: its month-to-date reach (30 days) is the only one past its 30-day reach (29).
  ['2025-01-01', 69, '2025-01-31', '2025-02-01'],
  // A month's last day, in a leap year and at a year's end: month to date reaches that day only.
  ['2024-02-29', 39, '2024-02-29', '2024-03-01'],
  ['2024-12-31', 39, '2024-12-31', '2025-01-01'],
])(
  'the month-to-date periods holding %s end from it to its month end (%i periods in all)',
  async (day, n, last, after) => {
    const { rows } = await c.query<Period>(
      `SELECT reference_date::text, period_type FROM pos.dashboard_periods_holding(ARRAY[$1::date]) ORDER BY 1, 2`,
      [day]
    );
    const listed = rows.map(key);
    expect(listed).toHaveLength(n);
    expect(listed).toContain(`${last} month_to_date`);
    expect(listed).not.toContain(`${after} month_to_date`);
    expect(rows.filter((r) => r.period_type === 'last_30_days')).toHaveLength(30);
    expect(rows.filter((r) => r.period_type === 'last_7_days')).toHaveLength(7);
    expect(rows.filter((r) => r.period_type === 'daily').map(key)).toEqual([`${day} daily`]);
  }
);

test("the rows of listed periods equal a full recompute's, and no other period's row is computed", async () => {
  const [, , first, lastOfMonth] = await probeDays();
  const { rows } = await c.query<{ same: boolean; n: number; other: number }>(
    `WITH wanted AS (SELECT * FROM pos.dashboard_periods_holding(ARRAY[$1::date, $2::date])),
          parts AS (SELECT * FROM pos.dashboard_summary_period_rows(
                      (SELECT array_agg(reference_date ORDER BY reference_date, period_type) FROM wanted),
                      (SELECT array_agg(period_type ORDER BY reference_date, period_type) FROM wanted))),
          whole AS (SELECT f.* FROM pos.dashboard_summary_cache_rows(
                      (SELECT array_agg(DISTINCT reference_date) FROM wanted)) f
                    JOIN wanted USING (reference_date, period_type))
     SELECT (SELECT array_agg(p::text ORDER BY p.reference_date, p.period_type) FROM parts p)
              = (SELECT array_agg(w::text ORDER BY w.reference_date, w.period_type) FROM whole w) AS same,
            (SELECT count(*)::int FROM parts) AS n,
            (SELECT count(*)::int FROM parts p WHERE NOT EXISTS (
               SELECT 1 FROM wanted w WHERE w.reference_date = p.reference_date AND w.period_type = p.period_type)) AS other`,
    [first, lastOfMonth]
  );
  expect(rows[0]).toEqual({ same: true, n: expect.any(Number), other: 0 });
  expect(rows[0].n).toBeGreaterThan(30);
});

test("a sale on an old day rewrites the cache rows of the periods that hold it and leaves every other row's tuple", async () => {
  const day = (await probeDays())[4];
  const xmins = async () =>
    Object.fromEntries(
      (
        await c.query<Period & { xmin: string }>(
          `SELECT reference_date::text, period_type, xmin::text FROM pos.mv_dashboard_summary_cache`
        )
      ).rows.map((r) => [key(r), r.xmin])
    );
  const holding = new Set(
    (
      await c.query<Period>(
        `SELECT reference_date::text, period_type FROM pos.mv_dashboard_summary_cache
         WHERE start_date <= $1::date AND $1::date <= end_date`,
        [day]
      )
    ).rows.map(key)
  );
  const before = await xmins();
  await c.query(
    `INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number, product_name, sales_net)
     VALUES ($1, $1::date + time '15:00', 'periods-1', 'Late lemonade', 55)`,
    [day]
  );
  await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')`);
  const { rows: log } = await c.query(
    `SELECT status, refresh_type FROM mv_ops.refresh_log WHERE view_name = 'pos.mv_dashboard_summary_cache'
     ORDER BY log_id DESC LIMIT 1`
  );
  expect(log[0]).toEqual({ status: 'succeeded', refresh_type: 'incremental' });
  const after = await xmins();
  expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
  const rewritten = Object.keys(after).filter((k) => after[k] !== before[k]);
  expect(rewritten.sort()).toEqual([...holding].sort());
});

test('an incremental refresh recomputes only the periods that hold a changed day; a full one recomputes every period', async () => {
  const { rows } = await c.query<{ day: string; later: string }>(
    `SELECT d.date::text AS day, (d.date + 10)::text AS later FROM pos.mv_daily_sales_summary d
     WHERE EXISTS (SELECT 1 FROM pos.mv_daily_sales_summary x WHERE x.date = d.date + 10)
     ORDER BY d.date OFFSET 60 LIMIT 1`
  );
  const { day, later } = rows[0];
  const revenue = async (period: string) =>
    (
      await c.query<{ r: string }>(
        `SELECT total_revenue::text AS r FROM pos.mv_dashboard_summary_cache WHERE reference_date = $1 AND period_type = $2`,
        [later, period]
      )
    ).rows[0].r;
  const right = Object.fromEntries(
    await Promise.all(['daily', 'last_7_days', 'last_30_days'].map(async (p) => [p, await revenue(p)]))
  );
  // Ten days after the sale, the daily and 7-day periods do not hold it; the 30-day period does.
  await c.query(
    `UPDATE pos.mv_dashboard_summary_cache SET total_revenue = -1 WHERE reference_date = $1
     AND period_type IN ('daily', 'last_7_days', 'last_30_days')`,
    [later]
  );
  await c.query(
    `INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number, product_name, sales_net)
     VALUES ($1, $1::date + time '16:00', 'periods-2', 'Late lemonade', 7)`,
    [day]
  );
  await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')`);
  expect(await revenue('daily')).toBe('-1');
  expect(await revenue('last_7_days')).toBe('-1');
  expect(Number(await revenue('last_30_days'))).toBe(Number(right.last_30_days) + 7);
  await c.query(`CALL mv_ops.refresh(views => ARRAY['pos.mv_dashboard_summary_cache'], cascade => false)`);
  expect(await revenue('daily')).toBe(right.daily);
  expect(await revenue('last_7_days')).toBe(right.last_7_days);
});

test('a change across much of the history (over 400 periods) leaves the cache as a full refresh would', async () => {
  await c.query(
    `UPDATE pos.lengolf_sales SET sales_net = sales_net + 1
     WHERE date IN (SELECT DISTINCT date FROM pos.lengolf_sales ORDER BY date LIMIT 120)`
  );
  const { rows } = await c.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pos.dashboard_periods_holding(
       ARRAY(SELECT DISTINCT date FROM pos.lengolf_sales ORDER BY date LIMIT 120))`
  );
  expect(rows[0].n).toBeGreaterThan(400);
  await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')`);
  const { rows: log } = await c.query(
    `SELECT status, refresh_type FROM mv_ops.refresh_log WHERE view_name = 'pos.mv_dashboard_summary_cache'
     ORDER BY log_id DESC LIMIT 1`
  );
  expect(log[0]).toEqual({ status: 'succeeded', refresh_type: 'incremental' });
  const incremental = (await aggregateRows(c)).mv_dashboard_summary_cache;
  await c.query(`CALL mv_ops.refresh(views => ARRAY['pos.mv_dashboard_summary_cache'], cascade => false)`);
  expect((await aggregateRows(c)).mv_dashboard_summary_cache).toEqual(incremental);
});

describe('mv_ops.apply_parts', () => {
  const apply = (keys: string, parts: string, fresh: string) =>
    c.query<{ written: string }>(
      `SELECT mv_ops.apply_parts('pos.mv_dashboard_summary_cache', 'reference_date', 'period_type', ${keys}, ${parts}, ${fresh}) AS written`
    );

  test('writes the listed part of a key and leaves its other parts, and fresh rows of unlisted parts, alone', async () => {
    await c.query('BEGIN');
    try {
      const { rows } = await c.query<{ day: string }>(
        `SELECT max(reference_date)::text AS day FROM pos.mv_dashboard_summary_cache`
      );
      const day = rows[0].day;
      const before = await c.query(
        `SELECT period_type, xmin::text, total_revenue::text FROM pos.mv_dashboard_summary_cache
         WHERE reference_date = $1 ORDER BY 1`,
        [day]
      );
      // Fresh rows for all four periods with revenue + 1; only last_7_days is listed.
      const written = await apply(
        `ARRAY['${day}'::date]`,
        `ARRAY['last_7_days']`,
        `ARRAY(SELECT (m.reference_date, m.period_type, m.start_date, m.end_date, m.total_transactions, m.unique_customers,
                       m.total_revenue + 1, m.total_profit, m.sim_utilization_count, m.avg_transaction_value,
                       m.gross_margin_pct, m.sim_utilization_pct, m.new_customers, m.avg_retention_rate_pct,
                       m.trend_data)::pos.mv_dashboard_summary_cache
               FROM pos.mv_dashboard_summary_cache m WHERE m.reference_date = '${day}')`
      );
      expect(written.rows[0].written).toBe('2');
      const after = await c.query(
        `SELECT period_type, xmin::text, total_revenue::text FROM pos.mv_dashboard_summary_cache
         WHERE reference_date = $1 ORDER BY 1`,
        [day]
      );
      expect(after.rows.map((r) => r.period_type)).toEqual(before.rows.map((r) => r.period_type));
      for (const [i, row] of after.rows.entries()) {
        const was = before.rows[i];
        if (row.period_type === 'last_7_days') {
          expect(Number(row.total_revenue)).toBe(Number(was.total_revenue) + 1);
        } else {
          expect(row).toEqual(was);
        }
      }
    } finally {
      await c.query('ROLLBACK');
    }
  });

  test('deletes the rows of a listed pair with no fresh row, and writes nothing when the fresh rows are identical', async () => {
    await c.query('BEGIN');
    try {
      const { rows } = await c.query<{ day: string }>(
        `SELECT min(reference_date)::text AS day FROM pos.mv_dashboard_summary_cache`
      );
      const day = rows[0].day;
      const state = async () =>
        (
          await c.query(
            `SELECT period_type, xmin::text FROM pos.mv_dashboard_summary_cache WHERE reference_date = $1 ORDER BY 1`,
            [day]
          )
        ).rows;
      const before = await state();
      const same = await apply(
        `ARRAY['${day}'::date, '${day}'::date]`,
        `ARRAY['daily', 'month_to_date']`,
        `ARRAY(SELECT m FROM pos.mv_dashboard_summary_cache m WHERE m.reference_date = '${day}')`
      );
      expect(same.rows[0].written).toBe('0');
      expect(await state()).toEqual(before);
      const gone = await apply(
        `ARRAY['${day}'::date]`,
        `ARRAY['daily']`,
        `ARRAY(SELECT m FROM pos.mv_dashboard_summary_cache m WHERE m.reference_date = '${day}' AND m.period_type <> 'daily')`
      );
      expect(gone.rows[0].written).toBe('1');
      expect(await state()).toEqual(before.filter((r) => r.period_type !== 'daily'));
    } finally {
      await c.query('ROLLBACK');
    }
  });

  test('refuses keys and parts that do not pair up', async () => {
    const err = await errorOf(
      apply(`ARRAY['2025-01-06'::date]`, `ARRAY['daily', 'last_7_days']`, `'{}'::pos.mv_dashboard_summary_cache[]`)
    );
    expect(err).toMatchObject({ code: '22023', message: expect.stringMatching(/must pair up/) });
  });

  test.each([
    ['integers', 'ARRAY[1, 2]'],
    ["another aggregate's rows", 'ARRAY(SELECT m FROM pos.mv_monthly_sales_summary m LIMIT 2)'],
  ])('refuses rows that are not of the target table: %s', async (_what, rows) => {
    const err = await errorOf(apply(`ARRAY['2025-01-06'::date]`, `ARRAY['daily']`, rows));
    expect(err).toMatchObject({
      code: '42804',
      message: expect.stringMatching(/not rows of pos\.mv_dashboard_summary_cache/),
    });
  });
});
