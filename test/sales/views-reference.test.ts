// Every column of each sales view of tiers 1-2 against an independent reference query over adversarial rows
// (test/fixtures/salesEdgeCases.ts). The references read pos.lengolf_sales only, never a view or a pack function.
// The tier-3 caches are in report-caches-reference.test.ts.
import type { Client } from 'pg';
import { insertEdgeCases, REFERENCE_SOURCE as SRC } from '../fixtures/salesEdgeCases';
import { expectSameRows, expectViewEqualsReference } from '../harness/compare';
import { openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;

// One row per sales day, from the source: receipts, customers, money, bay-hours used and available.
const DAYS = `SELECT date, count(DISTINCT receipt_number) AS tx, count(DISTINCT k) AS cust, sum(sales_net) AS rev,
                     sum(gross_profit) AS profit, sum(is_sim_usage) AS sim, max(cap) AS cap
              FROM ${SRC} x GROUP BY date`;

beforeAll(async () => {
  db = await openTestDatabase('sales_views');
  c = await db.session();
  await insertEdgeCases(c);
  await c.query(`CALL mv_ops.refresh(pack => 'sales')`);
});
afterAll(() => db.close());

describe('sales views equal independent references on adversarial data, every column', () => {
  test('the capacity constants the references use are the seeded pos.bay_capacity rows (3 bays, then 4 from 2024-09-01, 12 h)', async () => {
    const { rows } = await c.query(`SELECT effective_from::text AS f, bays, operating_hours::int AS h
                                    FROM pos.bay_capacity ORDER BY effective_from`);
    expect(rows).toEqual([
      { f: '-infinity', bays: 3, h: 12 },
      { f: '2024-09-01', bays: 4, h: 12 },
    ]);
  });

  test('daily summary, all 24 columns: customers exclude placeholders and voided-only phones (000-4), exact utilisation per day (000-5), profit, margin, average ticket', async () => {
    const n = await expectViewEqualsReference(
      c,
      'pos.mv_daily_sales_summary',
      `SELECT date, count(*) AS total_line_items, count(DISTINCT receipt_number) AS total_transactions,
              count(DISTINCT k) AS total_customers, sum(sales_net) AS total_revenue, sum(gross_profit) AS total_profit,
              sum(sales_cost) AS total_cost, sum(is_sim_usage) AS sim_usage_count, sum(item_cnt) AS total_items_sold,
              avg(sales_net) AS avg_line_item_value, min(sales_timestamp) AS first_transaction_time,
              max(sales_timestamp) AS last_transaction_time, sum(sales_total) AS revenue_incl_vat, sum(sales_vat) AS total_vat,
              sum(sales_discount) AS total_discounts, count(DISTINCT k) FILTER (WHERE is_sim_usage = 1) AS sim_customers,
              count(DISTINCT product_name) AS unique_products_sold,
              count(DISTINCT receipt_number) FILTER (WHERE payment_method = 'Cash') AS cash_transactions,
              count(DISTINCT receipt_number) FILTER (WHERE payment_method = 'Card') AS card_transactions,
              count(DISTINCT receipt_number) FILTER (WHERE payment_method LIKE '%QR%') AS qr_transactions,
              max(cap)::numeric(6,2) AS sim_capacity_hours, round(sum(is_sim_usage)::numeric / max(cap) * 100, 2) AS sim_utilization_pct,
              round(sum(sales_net) / count(DISTINCT receipt_number), 2) AS avg_transaction_value,
              round(sum(gross_profit) / NULLIF(sum(sales_net), 0) * 100, 2) AS gross_margin_pct
       FROM ${SRC} x GROUP BY date`
    );
    expect(n).toBe(14); // days with sales; the gaps (and the day with only a voided line) stay gaps
  });

  test('daily and customer analytics agree on the number of customers each day (one definition, defect 000-4)', async () => {
    const { rows } = await c.query(`SELECT d.date FROM pos.mv_daily_sales_summary d
      LEFT JOIN pos.mv_customer_analytics a USING (date) WHERE d.total_customers <> COALESCE(a.total_unique_customers, 0)`);
    expect(rows).toEqual([]);
  });

  test('customer daily visits, all 9 columns: one row per identified customer and day, first visit = first non-voided purchase, the id pos.customer gave the customer, the previous non-voided purchase day', async () => {
    await expectViewEqualsReference(
      c,
      'pos.mv_customer_daily_visits',
      `SELECT date, k AS customer_key, count(DISTINCT receipt_number) AS transactions, sum(sales_net) AS revenue,
              count(*) AS line_items, sum(is_sim_usage) AS sim_usage,
              date = (SELECT min(y.date) FROM ${SRC} y WHERE y.k = x.k) AS is_first_visit,
              (SELECT c.customer_id FROM pos.customer c WHERE c.customer_key = x.k) AS customer_id,
              (SELECT max(y.date) FROM ${SRC} y WHERE y.k = x.k AND y.date < x.date) AS previous_visit
       FROM ${SRC} x WHERE k IS NOT NULL GROUP BY date, k`
    );
  });

  test('customer analytics, all 12 columns: new on the first non-voided purchase ever, returning after, spend, retention (customer_ids by size), customers with no purchase in the k days before', async () => {
    await expectViewEqualsReference(
      c,
      'pos.mv_customer_analytics',
      `WITH f AS (SELECT k, min(date) AS first FROM ${SRC} x WHERE k IS NOT NULL GROUP BY k),
            cd AS (SELECT x.date, x.k, x.date = f.first AS is_new, count(DISTINCT receipt_number) AS tx,
                          sum(sales_net) AS rev, sum(is_sim_usage) AS sim
                   FROM ${SRC} x JOIN f USING (k) GROUP BY x.date, x.k, f.first),
            absent AS (SELECT date, array_agg(n ORDER BY back)::int[] AS counts
                       FROM (SELECT cd.date, b.back, count(*) FILTER (WHERE NOT EXISTS (
                                      SELECT 1 FROM ${SRC} y WHERE y.k = cd.k AND y.date >= cd.date - b.back AND y.date < cd.date)) AS n
                             FROM cd CROSS JOIN generate_series(1, 30) b(back) GROUP BY 1, 2) per_back
                       GROUP BY date)
       SELECT date, count(*) AS total_unique_customers, count(*) FILTER (WHERE is_new) AS new_customers,
              count(*) FILTER (WHERE NOT is_new) AS returning_customers, sum(tx) AS total_customer_transactions,
              sum(rev) AS total_customer_revenue, sum(sim) AS total_customer_sim_usage,
              round(avg(rev), 2) AS avg_customer_daily_spend, round(avg(tx), 2) AS avg_customer_daily_transactions,
              round(count(*) FILTER (WHERE NOT is_new)::numeric / count(*) * 100, 2) AS retention_rate_pct,
              count(*)::int AS customer_ids, -- how many; which ones in the next test
              (SELECT a.counts FROM absent a WHERE a.date = cd.date) AS not_seen_within
       FROM cd GROUP BY date`,
      { customer_ids: 'cardinality(customer_ids)' }
    );
  });

  test('customer analytics customer_ids: each id stands for one customer, on exactly the days that customer bought', async () => {
    // Ids are arbitrary but consistent within a refresh: equal multisets of "days per id" and "days per customer"
    // mean some relabelling maps every day's ids onto that day's customers (no id repeated within a day).
    await expectSameRows(
      c,
      `SELECT array_agg(date ORDER BY date) FROM pos.mv_customer_analytics, unnest(customer_ids) id GROUP BY id`,
      `SELECT array_agg(DISTINCT date ORDER BY date) FROM ${SRC} x WHERE k IS NOT NULL GROUP BY k`
    );
  });

  test('weekly summary, all 21 columns: ISO year with ISO week, 2024-12-30/31 in 2025-W01, customers once per week (000-2, 000-3), exact utilisation (000-5)', async () => {
    await expectViewEqualsReference(
      c,
      'pos.mv_weekly_sales_summary',
      `WITH d AS (SELECT *, extract(isoyear FROM date)::int AS iy, extract(week FROM date)::int AS iw FROM (${DAYS}) d)
       SELECT iy || '-W' || lpad(iw::text, 2, '0') AS week_number, iy AS year, iw AS week,
              min(date) - (extract(isodow FROM min(date))::int - 1) AS week_start_date,
              min(date) - (extract(isodow FROM min(date))::int - 1) + 6 AS week_end_date, count(*) AS active_days,
              sum(tx) AS total_transactions,
              (SELECT count(DISTINCT k) FROM ${SRC} y
               WHERE extract(isoyear FROM y.date) = iy AND extract(week FROM y.date) = iw) AS total_customers,
              sum(rev) AS total_revenue, sum(profit) AS total_profit, sum(sim) AS sim_usage_count,
              round(avg(rev), 2) AS avg_daily_revenue, round(sum(rev) / sum(tx), 2) AS avg_transaction_value,
              round(sum(profit) / NULLIF(sum(rev), 0) * 100, 2) AS gross_margin_pct, sum(cap) AS sim_capacity_hours,
              round(sum(sim) / sum(cap) * 100, 2) AS sim_utilization_pct, count(*) AS operating_days,
              round(avg(cust), 2) AS avg_daily_customers, round(avg(tx), 2) AS avg_transactions_per_day,
              max(rev) AS peak_day_revenue, min(rev) AS lowest_day_revenue
       FROM d GROUP BY iy, iw`
    );
    const { rows } = await c.query(`SELECT week_number, week_start_date::text AS s FROM pos.mv_weekly_sales_summary
                                    WHERE week_number IN ('2024-W01', '2025-W01') ORDER BY 1`);
    expect(rows).toEqual([
      { week_number: '2024-W01', s: '2024-01-01' },
      { week_number: '2025-W01', s: '2024-12-30' },
    ]);
  });

  test('monthly summary, all 21 columns: customers once per month, utilisation exact across the bay change, peak and lowest ISO week starting in the month (000-1, 000-3, 000-5)', async () => {
    await expectViewEqualsReference(
      c,
      'pos.mv_monthly_sales_summary',
      `WITH d AS (SELECT *, extract(year FROM date)::int AS y, extract(month FROM date)::int AS m FROM (${DAYS}) d),
            w AS (SELECT min(date) - (extract(isodow FROM min(date))::int - 1) AS start, sum(sales_net) AS rev,
                         extract(isoyear FROM min(date)) || '-W' || lpad(extract(week FROM min(date))::text, 2, '0') AS label
                  FROM ${SRC} x GROUP BY extract(isoyear FROM date), extract(week FROM date))
       SELECT y || '-' || lpad(m::text, 2, '0') AS month_number, y AS year, m AS month,
              trim(to_char(min(date), 'Month')) || ' ' || y AS month_name, make_date(y, m, 1) AS month_start_date,
              (make_date(y, m, 1) + interval '1 month')::date - 1 AS month_end_date, count(*) AS active_days,
              sum(tx) AS total_transactions,
              (SELECT count(DISTINCT k) FROM ${SRC} z
               WHERE extract(year FROM z.date) = y AND extract(month FROM z.date) = m) AS total_customers,
              sum(rev) AS total_revenue, sum(profit) AS total_profit, sum(sim) AS sim_usage_count,
              round(avg(rev), 2) AS avg_daily_revenue, round(sum(rev) / sum(tx), 2) AS avg_transaction_value,
              round(sum(profit) / NULLIF(sum(rev), 0) * 100, 2) AS gross_margin_pct, sum(cap) AS sim_capacity_hours,
              round(sum(sim) / sum(cap) * 100, 2) AS sim_utilization_pct, round(avg(tx), 2) AS avg_transactions_per_day,
              (SELECT label FROM w WHERE extract(year FROM start) = y AND extract(month FROM start) = m
               ORDER BY rev DESC, start LIMIT 1) AS peak_week,
              (SELECT label FROM w WHERE extract(year FROM start) = y AND extract(month FROM start) = m
               ORDER BY rev, start LIMIT 1) AS lowest_week,
              count(*) AS working_days
       FROM d GROUP BY y, m`
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

  test('product performance, all 14 columns: NULL category and name get a non-NULL key, totals, margin and SIM flag match', async () => {
    await expectViewEqualsReference(
      c,
      'pos.mv_product_performance',
      `SELECT date, COALESCE(product_category, '(none)') AS product_category, COALESCE(product_name, '(none)') AS product_name,
              count(*) AS total_sales, sum(item_cnt) AS total_quantity, sum(sales_net) AS total_revenue,
              sum(gross_profit) AS total_profit, sum(sales_cost) AS total_cost,
              count(DISTINCT receipt_number) AS unique_transactions, count(DISTINCT k) AS unique_customers,
              round(avg(sales_net), 2) AS avg_sale_value,
              round(sum(gross_profit) / NULLIF(sum(sales_net), 0) * 100, 2) AS profit_margin_pct,
              sum(is_sim_usage) AS sim_usage_count, max(is_sim_usage) AS is_sim_product
       FROM ${SRC} x GROUP BY 1, 2, 3`
    );
  });
});
