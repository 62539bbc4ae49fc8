// Every column of the sales pack's tier-3 caches (dashboard summary, weekly and monthly reports) against an
// independent reference query over the adversarial rows of test/fixtures/salesEdgeCases.ts. The references read
// pos.lengolf_sales only, never a view or a pack function. Tiers 1-2 are in views-reference.test.ts.
import type { Client } from 'pg';
import { insertEdgeCases, REFERENCE_SOURCE as SRC } from '../fixtures/salesEdgeCases';
import { expectViewEqualsReference } from '../harness/compare';
import { openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;

// Shared by every reference below: each customer's first purchase, and one row per sales day with its receipts,
// customers, money, bay-hours and retention (share of the day's customers who had bought before; NULL without any).
const BASE = `first_purchase AS (SELECT k, min(date) AS first FROM ${SRC} x WHERE k IS NOT NULL GROUP BY k),
  days AS (SELECT x.date, count(DISTINCT receipt_number) AS tx, count(DISTINCT k) AS cust, sum(sales_net) AS rev,
                  sum(gross_profit) AS profit, sum(is_sim_usage) AS sim, max(cap) AS cap,
                  round(count(DISTINCT k) FILTER (WHERE f.first < x.date)::numeric / NULLIF(count(DISTINCT k), 0) * 100, 2) AS retention
           FROM ${SRC} x LEFT JOIN first_purchase f USING (k) GROUP BY x.date)`;

/** A period's totals from its first to its last day (SQL date expressions): customers counted once over it. */
const totals = (from: string, to: string) => `LATERAL (
  SELECT count(*) AS days, sum(tx) AS tx, sum(rev) AS rev, sum(profit) AS profit, sum(sim) AS sim, sum(cap) AS cap,
         round(avg(tx), 2) AS tx_per_day, round(avg(retention), 2) AS retention,
         (SELECT count(DISTINCT k) FROM ${SRC} y WHERE y.date BETWEEN ${from} AND ${to}) AS cust,
         (SELECT count(*) FROM first_purchase f WHERE f.first BETWEEN ${from} AND ${to}) AS new,
         jsonb_agg(jsonb_build_object('date', date, 'revenue', rev, 'profit', profit, 'customers', cust, 'transactions', tx,
                                      'sim_utilization', round(sim / cap * 100, 2)) ORDER BY date) AS trend
  FROM days WHERE date BETWEEN ${from} AND ${to})`;

// The report columns both caches share, from the period's totals t...
const REPORT = `t.rev AS total_revenue, t.profit AS total_profit, t.tx AS total_transactions,
  t.cust AS total_customers, t.new AS new_customers, round(t.rev / t.tx, 2) AS avg_transaction_value,
  round(t.profit / NULLIF(t.rev, 0) * 100, 2) AS gross_margin_pct, round(t.sim / t.cap * 100, 2) AS sim_utilization_pct,
  t.sim AS sim_usage_count, t.retention AS customer_retention_rate, t.tx_per_day AS avg_transactions_per_day`;
// ...and against the previous calendar period's totals p: NULL when it had no sales, growth NULL when there is
// nothing to grow from (defect 000-9).
const GROWTH = (prev: string) => `p.rev AS prev_${prev}_revenue, p.profit AS prev_${prev}_profit,
  CASE WHEN p.days > 0 THEN p.cust END AS prev_${prev}_customers,
  CASE WHEN p.rev > 0 THEN round((t.rev - p.rev) / p.rev * 100, 2) END AS revenue_growth_pct,
  CASE WHEN p.profit > 0 THEN round((t.profit - p.profit) / p.profit * 100, 2) END AS profit_growth_pct,
  CASE WHEN p.cust > 0 THEN round((t.cust - p.cust)::numeric / p.cust * 100, 2) END AS customer_growth_pct`;

beforeAll(async () => {
  db = await openTestDatabase('sales_caches');
  c = await db.session();
  await insertEdgeCases(c);
  await c.query(`CALL mv_ops.refresh(pack => 'sales')`);
});
afterAll(() => db.close());

describe('sales report caches equal independent references on adversarial data, every column', () => {
  test('dashboard cache, all 15 columns: daily, 7-day, 30-day and month-to-date periods of every sales day; customers once per period (000-3), exact utilisation (000-5), new customers, mean daily retention, trend', async () => {
    const n = await expectViewEqualsReference(
      c,
      'pos.mv_dashboard_summary_cache',
      `WITH ${BASE}
       SELECT d.date AS reference_date, p.period_type, p.start_date, d.date AS end_date, t.tx AS total_transactions,
              t.cust AS unique_customers, t.rev AS total_revenue, t.profit AS total_profit, t.sim AS sim_utilization_count,
              round(t.rev / t.tx, 2) AS avg_transaction_value, round(t.profit / NULLIF(t.rev, 0) * 100, 2) AS gross_margin_pct,
              round(t.sim / t.cap * 100, 2) AS sim_utilization_pct, t.new AS new_customers,
              t.retention AS avg_retention_rate_pct, t.trend AS trend_data
       FROM days d
       CROSS JOIN LATERAL (VALUES ('daily', d.date), ('last_7_days', d.date - 6), ('last_30_days', d.date - 29),
                                  ('month_to_date', make_date(extract(year FROM d.date)::int, extract(month FROM d.date)::int, 1)))
                          p(period_type, start_date)
       CROSS JOIN ${totals('p.start_date', 'd.date')} t`,
      { trend_data: 'trend_data::jsonb' }
    );
    expect(n).toBe(14 * 4);
  });

  test('weekly reports cache, all 23 columns: ISO weeks with start/end dates, new customers, mean daily retention, growth against the calendar week before or NULL (000-8, 000-9)', async () => {
    await expectViewEqualsReference(
      c,
      'pos.mv_weekly_reports_cache',
      `WITH ${BASE}, weeks AS (SELECT DISTINCT date - (extract(isodow FROM date)::int - 1) AS s FROM days)
       SELECT extract(isoyear FROM s) || '-W' || lpad(extract(week FROM s)::text, 2, '0') AS week_number,
              extract(isoyear FROM s)::int AS year, extract(week FROM s)::int AS week, s AS week_start_date,
              s + 6 AS week_end_date, to_char(s, 'YYYY-MM-DD') || ' - ' || to_char(s + 6, 'YYYY-MM-DD') AS week_range,
              ${REPORT}, ${GROWTH('week')}
       FROM weeks CROSS JOIN ${totals('s', 's + 6')} t CROSS JOIN ${totals('s - 7', 's - 1')} p`
    );
  });

  test('monthly reports cache, all 26 columns: months with start/end dates, new customers, mean daily retention, peak and lowest ISO week starting in the month, growth against the calendar month before or NULL (000-1, 000-8, 000-9)', async () => {
    await expectViewEqualsReference(
      c,
      'pos.mv_monthly_reports_cache',
      `WITH ${BASE},
            months AS (SELECT DISTINCT make_date(extract(year FROM date)::int, extract(month FROM date)::int, 1) AS s FROM days),
            weeks AS (SELECT s AS start, t.rev,
                             extract(isoyear FROM s) || '-W' || lpad(extract(week FROM s)::text, 2, '0') AS label
                      FROM (SELECT DISTINCT date - (extract(isodow FROM date)::int - 1) AS s FROM days) w
                      CROSS JOIN ${totals('s', 's + 6')} t)
       SELECT to_char(s, 'YYYY-MM') AS month_number, extract(year FROM s)::int AS year, extract(month FROM s)::int AS month,
              trim(to_char(s, 'Month')) || ' ' || extract(year FROM s) AS month_name, s AS month_start_date,
              (s + interval '1 month')::date - 1 AS month_end_date,
              ${REPORT}, t.days AS working_days,
              (SELECT label FROM weeks WHERE start >= s AND start < s + interval '1 month' ORDER BY rev DESC, start LIMIT 1) AS peak_week,
              (SELECT label FROM weeks WHERE start >= s AND start < s + interval '1 month' ORDER BY rev, start LIMIT 1) AS lowest_week,
              ${GROWTH('month')}
       FROM months CROSS JOIN ${totals('s', "(s + interval '1 month')::date - 1")} t
       CROSS JOIN ${totals("(s - interval '1 month')::date", 's - 1')} p`
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
});
