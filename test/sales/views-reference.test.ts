// Each sales view against an independent reference query over adversarial rows (test/fixtures/salesEdgeCases.ts).
import type { Client } from 'pg';
import { insertEdgeCases } from '../fixtures/salesEdgeCases';
import { expectSameRows } from '../harness/compare';
import { openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;

// The references share only this: what a customer is (trimmed phone, not a placeholder) and the capacity rule.
const SRC = `(SELECT s.*, NULLIF(NULLIF(trim(customer_phone_number), ''), '-') AS k,
                     CASE WHEN date < '2024-09-01' THEN 36 ELSE 48 END AS cap
              FROM pos.lengolf_sales s WHERE NOT is_voided)`;

beforeAll(async () => {
  db = await openTestDatabase('sales_views');
  c = await db.session();
  await insertEdgeCases(c);
  await c.query(`CALL mv_ops.refresh(pack => 'sales')`);
});
afterAll(() => db.close());

describe('sales views equal independent references on adversarial data', () => {
  test('daily summary: customers exclude placeholders and voided-only phones (defect 000-4), exact utilisation per day (000-5)', async () => {
    const n = await expectSameRows(
      c,
      `SELECT date, total_line_items, total_transactions, total_customers, total_revenue, sim_usage_count,
              sim_capacity_hours, sim_utilization_pct, qr_transactions FROM pos.mv_daily_sales_summary`,
      `SELECT date, count(*), count(DISTINCT receipt_number), count(DISTINCT k), sum(sales_net), sum(is_sim_usage),
              max(cap)::numeric(6,2), round(sum(is_sim_usage)::numeric / max(cap) * 100, 2),
              count(DISTINCT receipt_number) FILTER (WHERE payment_method LIKE '%QR%') FROM ${SRC} x GROUP BY date`
    );
    expect(n).toBe(14); // days with sales; the gaps stay gaps
  });

  test('daily and customer analytics agree on the number of customers each day (one definition, defect 000-4)', async () => {
    const { rows } = await c.query(`SELECT d.date FROM pos.mv_daily_sales_summary d
      LEFT JOIN pos.mv_customer_analytics a USING (date) WHERE d.total_customers <> COALESCE(a.total_unique_customers, 0)`);
    expect(rows).toEqual([]);
  });

  test('customer analytics: new on the first non-voided purchase ever, returning after', async () => {
    await expectSameRows(
      c,
      `SELECT date, total_unique_customers, new_customers, returning_customers FROM pos.mv_customer_analytics`,
      `WITH f AS (SELECT k, min(date) AS first FROM ${SRC} x WHERE k IS NOT NULL GROUP BY k),
            cd AS (SELECT DISTINCT x.date, x.k, x.date = f.first AS is_new FROM ${SRC} x JOIN f USING (k))
       SELECT date, count(*), count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new) FROM cd GROUP BY date`
    );
  });

  test('weekly summary: ISO year with ISO week, 2024-12-30/31 in 2025-W01, customers once per week (defects 000-2, 000-3)', async () => {
    await expectSameRows(
      c,
      `SELECT week_number, week_start_date, week_end_date, active_days, total_customers, total_revenue, sim_utilization_pct,
              avg_transactions_per_day FROM pos.mv_weekly_sales_summary`,
      `SELECT extract(isoyear FROM date) || '-W' || lpad(extract(week FROM date)::text, 2, '0'),
              min(date) - (extract(isodow FROM min(date))::int - 1), min(date) - (extract(isodow FROM min(date))::int - 1) + 6,
              count(DISTINCT date), count(DISTINCT k), sum(sales_net),
              round(sum(is_sim_usage)::numeric / (SELECT sum(cap) FROM (SELECT DISTINCT date, cap FROM ${SRC} y
                     WHERE extract(isoyear FROM y.date) = extract(isoyear FROM min(x.date))
                       AND extract(week FROM y.date) = extract(week FROM min(x.date))) z) * 100, 2),
              round(count(DISTINCT (date, receipt_number))::numeric / count(DISTINCT date), 2)
       FROM ${SRC} x GROUP BY extract(isoyear FROM date), extract(week FROM date)`
    );
    const { rows } = await c.query(`SELECT week_number, week_start_date::text AS s FROM pos.mv_weekly_sales_summary
                                    WHERE week_number IN ('2024-W01', '2025-W01') ORDER BY 1`);
    expect(rows).toEqual([
      { week_number: '2024-W01', s: '2024-01-01' },
      { week_number: '2025-W01', s: '2024-12-30' },
    ]);
  });

  test('monthly summary: customers once per month, utilisation exact across the bay change, peak and lowest week (000-1, 000-5)', async () => {
    await expectSameRows(
      c,
      `SELECT month_number, total_customers, total_revenue, sim_capacity_hours, sim_utilization_pct FROM pos.mv_monthly_sales_summary`,
      `SELECT to_char(date, 'YYYY-MM'), count(DISTINCT k), sum(sales_net),
              (SELECT sum(cap) FROM (SELECT DISTINCT date, cap FROM ${SRC} y WHERE to_char(y.date, 'YYYY-MM') = to_char(min(x.date), 'YYYY-MM')) z)::numeric(10,2),
              round(sum(is_sim_usage)::numeric / (SELECT sum(cap) FROM (SELECT DISTINCT date, cap FROM ${SRC} y
                     WHERE to_char(y.date, 'YYYY-MM') = to_char(min(x.date), 'YYYY-MM')) z) * 100, 2)
       FROM ${SRC} x GROUP BY 1`
    );
    // August 2024: 2 days x 3 bays x 12 h; September: 2 days x 4 bays x 12 h.
    const { rows } = await c.query(`SELECT month_number, sim_capacity_hours::int AS cap, peak_week, lowest_week
                                    FROM pos.mv_monthly_sales_summary WHERE month_number IN ('2024-01', '2024-08', '2024-09') ORDER BY 1`);
    expect(rows).toEqual([
      { month_number: '2024-01', cap: 144, peak_week: '2024-W01', lowest_week: '2024-W02' },
      { month_number: '2024-08', cap: 72, peak_week: '2024-W35', lowest_week: '2024-W35' }, // the only week starting in August with sales
      { month_number: '2024-09', cap: 96, peak_week: '2024-W36', lowest_week: '2024-W36' },
    ]);
  });

  test('product performance: NULL category and name get a non-NULL key, totals match', async () => {
    await expectSameRows(
      c,
      `SELECT date, product_category, product_name, total_sales, total_revenue, unique_customers FROM pos.mv_product_performance`,
      `SELECT date, COALESCE(product_category, '(none)'), COALESCE(product_name, '(none)'), count(*), sum(sales_net), count(DISTINCT k)
       FROM ${SRC} x GROUP BY 1, 2, 3`
    );
  });

  test('report caches carry their period dates, growth is NULL without a previous period (000-8, 000-9)', async () => {
    const { rows } =
      await c.query(`SELECT week_number, week_start_date::text AS s, week_end_date::text AS e, prev_week_revenue,
              revenue_growth_pct, new_customers, avg_transactions_per_day FROM pos.mv_weekly_reports_cache
              WHERE week_number IN ('2024-W01', '2024-W02') ORDER BY 1`);
    expect(rows).toEqual([
      {
        week_number: '2024-W01',
        s: '2024-01-01',
        e: '2024-01-07',
        prev_week_revenue: null,
        revenue_growth_pct: null,
        new_customers: '1',
        avg_transactions_per_day: '2.00',
      }, // 6 receipts over 3 days
      {
        week_number: '2024-W02',
        s: '2024-01-08',
        e: '2024-01-14',
        prev_week_revenue: '1870.00',
        revenue_growth_pct: '-41.71', // (1090 - 1870) / 1870
        new_customers: '1',
        avg_transactions_per_day: '1.00',
      },
    ]);
    const month = await c.query(`SELECT month_start_date::text AS s, month_end_date::text AS e, revenue_growth_pct
                                 FROM pos.mv_monthly_reports_cache WHERE month_number = '2024-08'`);
    expect(month.rows).toEqual([{ s: '2024-08-01', e: '2024-08-31', revenue_growth_pct: null }]); // July had no sales
  });

  test('dashboard cache: last-30-days customers counted once over the window (defect 000-3)', async () => {
    await expectSameRows(
      c,
      `SELECT reference_date, period_type, unique_customers, total_revenue, sim_utilization_pct FROM pos.mv_dashboard_summary_cache`,
      `SELECT d.date, p.t, (SELECT count(DISTINCT k) FROM ${SRC} y WHERE y.date BETWEEN p.s AND d.date),
              (SELECT sum(sales_net) FROM ${SRC} y WHERE y.date BETWEEN p.s AND d.date),
              (SELECT round(sum(is_sim_usage)::numeric / (SELECT sum(cap) FROM (SELECT DISTINCT date, cap FROM ${SRC} z WHERE z.date BETWEEN p.s AND d.date) q) * 100, 2)
               FROM ${SRC} y WHERE y.date BETWEEN p.s AND d.date)
       FROM (SELECT DISTINCT date FROM ${SRC} x) d
       CROSS JOIN LATERAL (VALUES ('daily', d.date), ('last_7_days', d.date - 6), ('last_30_days', d.date - 29),
                                  ('month_to_date', date_trunc('month', d.date)::date)) p(t, s)`
    );
  });
});
