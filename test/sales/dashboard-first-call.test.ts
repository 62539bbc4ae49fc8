// The dashboard summary from the stored aggregates is cheap on the first call of a new session too, when every
// catalog row it needs (functions, relations, indexes, operators, statistics, type cache entries) is read into the
// session's caches: at most 500 shared buffers (hit + read, planning + execution), and at most 100 warm. Measured as
// the bench measures it (server/src/bench/measure.ts: a new connection per sample, EXPLAIN (ANALYZE, BUFFERS)).
// Buffer counts depend on the catalogs, not on timing, so the assertions are deterministic; no times are asserted.
import type { Client } from 'pg';
import { measure, measureFresh } from '../../server/src/bench/measure';
import { salesSeeder } from '../../server/src/seed/sales';
import { openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(180_000);

let db: TestDb;
let c: Client;
let today: string;

beforeAll(async () => {
  db = await openTestDatabase('sales_first_call');
  c = await db.session();
  // As the bench: data ending on the venue's today, refreshed, analysed.
  await salesSeeder.seed(c, { scale: 0.2, seed: 42, endToday: true, progress: () => undefined });
  await c.query('ANALYZE');
  today = (await c.query(`SELECT max(date)::text AS d FROM pos.lengolf_sales`)).rows[0].d;
});
afterAll(() => db.close());

/** The bench's dashboard call: the 30 days ending on `end - back` against the 30 before (server/src/bench/sales.ts). */
const dashboard = (fn: string, back: number): string => {
  const last = `('${today}'::date - ${back})`;
  return `SELECT pos.${fn}(${last} - 29, ${last}, ${last} - 59, ${last} - 30)`;
};

/** The view-based summary equals the live computation from pos.lengolf_sales, text for text. */
async function expectSameAsLive(back: number): Promise<void> {
  const { rows } = await c.query(
    `SELECT (${dashboard('get_dashboard_summary_enhanced_mv', back)})::text AS mv,
            (${dashboard('get_dashboard_summary_live', back)})::text AS live`
  );
  expect(JSON.parse(rows[0].mv)).toEqual(JSON.parse(rows[0].live));
}

describe('dashboard summary from the stored aggregates, first call of a new session', () => {
  test('30 days ending yesterday vs the 30 before (the bench scenario): at most 500 buffers new, 100 warm', async () => {
    const sql = dashboard('get_dashboard_summary_enhanced_mv', 1);
    const warm = await measure(c, sql, 3, 5);
    const fresh = await measureFresh(db.url, sql, 3);
    expect(fresh.totalBuffers).toBeLessThanOrEqual(500);
    expect(warm.sharedBuffers).toBeLessThanOrEqual(100);
    await expectSameAsLive(1);
  });

  test('ending today with zero-lag reads off (stored rows only): the same budget', async () => {
    await c.query(`CALL pos.set_zero_lag_reads(false)`);
    try {
      const sql = dashboard('get_dashboard_summary_enhanced_mv', 0);
      const warm = await measure(c, sql, 3, 5);
      const fresh = await measureFresh(db.url, sql, 3);
      expect(fresh.totalBuffers).toBeLessThanOrEqual(500);
      expect(warm.sharedBuffers).toBeLessThanOrEqual(100);
      await expectSameAsLive(0);
    } finally {
      await c.query(`CALL pos.set_zero_lag_reads(true)`);
    }
  });

  test('periods the dashboard cache does not hold (40 days ending 3 days ago) stay under 1,000 buffers new (0105: about 1,300)', async () => {
    const sql = `SELECT pos.get_dashboard_summary_enhanced_mv('${today}'::date - 42, '${today}'::date - 3,
                                                              '${today}'::date - 82, '${today}'::date - 43)`;
    const fresh = await measureFresh(db.url, sql, 3);
    expect(fresh.totalBuffers).toBeLessThanOrEqual(1000);
    const { rows } = await c.query(
      `SELECT (${sql})::text AS mv,
              pos.get_dashboard_summary_live('${today}'::date - 42, '${today}'::date - 3,
                                             '${today}'::date - 82, '${today}'::date - 43)::text AS live`
    );
    expect(JSON.parse(rows[0].mv)).toEqual(JSON.parse(rows[0].live));
  });
});
