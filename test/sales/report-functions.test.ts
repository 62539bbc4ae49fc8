// The report functions from views equal the same functions computed live, over seeded demo data.
import type { Client } from 'pg';
import { salesSeeder } from '../../server/src/seed/sales';
import { errorOf, openTestDatabase, type TestDb } from '../harness/sql';
import { prng } from '../harness/prng';

jest.setTimeout(180_000);

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('sales_functions');
  c = await db.session();
  await salesSeeder.seed(c, { scale: 1, seed: 7, progress: () => undefined });
});
afterAll(() => db.close());

const DASH_MV = 'get_dashboard_summary_enhanced_mv';
const DASH_LIVE = 'get_dashboard_summary_live';
const day = (offset: number): string => new Date(Date.UTC(2024, 2, 16 + offset)).toISOString().slice(0, 10);

/** Calls the view-based function and its live twin with the same dates. */
async function both(mvFn: string, liveFn: string, args: string[]): Promise<[unknown, unknown]> {
  const params = args.map((_a, i) => `$${i + 1}::date`).join(', ');
  const { rows } = await c.query(`SELECT pos.${mvFn}(${params}) AS mv, pos.${liveFn}(${params}) AS live`, args);
  return [rows[0].mv, rows[0].live];
}

describe('get_dashboard_summary_enhanced_mv equals get_dashboard_summary_live (defects 000-3, 000-5, 000-7)', () => {
  const rnd = prng(2025);
  const ranges: Array<[string, string[]]> = [
    ['empty range before the data', ['2023-01-01', '2023-01-31', '2022-12-01', '2022-12-31']],
    ['range crossing the start of the data', ['2024-03-01', '2024-04-15', '2024-02-01', '2024-02-29']],
    ['range crossing the end of the data', ['2025-06-20', '2025-08-01', '2025-05-20', '2025-06-19']],
    ['one day', ['2024-09-01', '2024-09-01', '2024-08-31', '2024-08-31']],
    ['the seed benchmark (June vs May 2025)', ['2025-06-01', '2025-06-30', '2025-05-01', '2025-05-30']],
  ];
  for (let i = 0; i < 20; i++) {
    const start = Math.floor(rnd() * 520) - 20;
    const length = Math.floor(rnd() * 120);
    const cmpStart = Math.floor(rnd() * 520) - 20;
    ranges.push([`random range ${i + 1}`, [day(start), day(start + length), day(cmpStart), day(cmpStart + length)]]);
  }

  test.each(ranges)('%s %j', async (_name, args) => {
    const [mv, live] = await both(DASH_MV, DASH_LIVE, args);
    expect(mv).toEqual(live);
  });

  test('the result has the seed keys', async () => {
    const [mv] = await both(DASH_MV, DASH_LIVE, ['2025-06-01', '2025-06-30', '2025-05-01', '2025-05-30']);
    const result = mv as Record<string, Record<string, unknown>>;
    expect(Object.keys(result)).toEqual(['current_period', 'comparison_period', 'trend_data']);
    expect(Object.keys(result.current_period)).toEqual([
      'total_revenue',
      'gross_profit',
      'transaction_count',
      'unique_customers',
      'avg_transaction_value',
      'gross_margin_pct',
      'sim_utilization_pct',
      'sim_utilization_count',
      'new_customers',
    ]);
    expect(Object.keys(result.trend_data)).toEqual([
      'revenue',
      'profit',
      'utilization',
      'customers',
      'transaction',
      'margin',
    ]);
  });

  test.each([
    [
      ['2025-06-30', '2025-06-01', '2025-05-01', '2025-05-30'],
      'the period starts on 2025-06-30 after it ends on 2025-06-01',
    ],
    [['2025-06-01', null, '2025-05-01', '2025-05-30'], 'the period needs both a start and an end date'],
  ])('bad input %j is refused with %p', async (args, message) => {
    const err = await errorOf(c.query(`SELECT pos.get_dashboard_summary_enhanced_mv($1, $2, $3, $4)`, args));
    expect(err.message).toBe(message);
  });
});

describe('weekly and monthly reports from the caches equal the live computation (defects 000-1, 000-2, 000-8, 000-9)', () => {
  test.each([
    ['all data', '2024-01-01', '2025-12-31'],
    ['a quarter', '2024-09-01', '2024-11-30'],
    ['nothing', '2023-01-01', '2023-02-01'],
  ])('%s', async (_name, from, to) => {
    const [weeklyMv, weeklyLive] = await both('get_weekly_reports_mv', 'get_weekly_reports_live', [from, to]);
    expect(weeklyMv).toEqual(weeklyLive);
    const [monthlyMv, monthlyLive] = await both('get_monthly_reports_mv', 'get_monthly_reports_live', [from, to]);
    expect(monthlyMv).toEqual(monthlyLive);
  });

  test('weeks and months are those lying wholly inside the range', async () => {
    const { rows } = await c.query(`SELECT pos.get_weekly_reports_mv('2024-09-01', '2024-09-30') AS w,
                                           pos.get_monthly_reports_mv('2024-08-15', '2024-10-31') AS m`);
    expect(rows[0].w.map((r: { week: string }) => r.week)).toEqual(['2024-W36', '2024-W37', '2024-W38', '2024-W39']);
    expect(rows[0].m.map((r: { month: string }) => r.month)).toEqual(['2024-09', '2024-10']);
  });
});
