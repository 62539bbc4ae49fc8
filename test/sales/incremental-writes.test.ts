// What an incremental refresh writes: only the rows that differ from a full recompute, whichever way the routine
// holds its fresh rows (mv_ops.apply_array for a batch, 0122). Unchanged rows keep their tuple (same xmin), so a
// batch leaves no bloat behind and journals only the dates whose rows really changed.
import type { Client } from 'pg';
import { salesSeeder } from '../../server/src/seed/sales';
import { errorOf, openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(180_000);

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('sales_incremental_writes');
  c = await db.session();
  await salesSeeder.seed(c, { scale: 0.05, seed: 11, progress: () => undefined });
});
afterAll(() => db.close());

/** product → xmin of the day's product performance rows. */
const productRows = async (day: string): Promise<Record<string, string>> =>
  Object.fromEntries(
    (
      await c.query<{ product: string; xmin: string }>(
        `SELECT product_category || '/' || product_name AS product, xmin::text AS xmin
         FROM pos.mv_product_performance WHERE date = $1`,
        [day]
      )
    ).rows.map((r) => [r.product, r.xmin])
  );

test("a sale of one product rewrites that product's row of the day and leaves the day's other rows as they were", async () => {
  const { rows } = await c.query<{ day: string; category: string; name: string }>(
    `SELECT p.date::text AS day, p.product_category AS category, p.product_name AS name FROM pos.mv_product_performance p
     WHERE p.date = (SELECT date FROM pos.mv_product_performance GROUP BY date ORDER BY count(*) DESC, date LIMIT 1)
       AND p.product_category <> '(none)' AND p.product_name <> '(none)'
     ORDER BY 2, 3 LIMIT 1`
  );
  const { day, category, name } = rows[0];
  const before = await productRows(day);
  expect(Object.keys(before).length).toBeGreaterThan(1);
  await c.query(
    `INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number, product_category, product_name, sales_net)
     VALUES ($1, $1::date + time '13:00', 'writes-1', $2, $3, 42)`,
    [day, category, name]
  );
  await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')`);
  const { rows: log } = await c.query(
    `SELECT refresh_type, key_count FROM mv_ops.refresh_log WHERE view_name = 'pos.mv_product_performance'
     ORDER BY log_id DESC LIMIT 1`
  );
  expect(log[0]).toEqual({ refresh_type: 'incremental', key_count: 1 });
  const after = await productRows(day);
  const sold = `${category}/${name}`;
  expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
  expect(after[sold]).not.toBe(before[sold]);
  const others = Object.keys(before).filter((p) => p !== sold);
  expect(Object.fromEntries(others.map((p) => [p, after[p]]))).toEqual(
    Object.fromEntries(others.map((p) => [p, before[p]]))
  );
});

test.each([
  ['integers', 'ARRAY[1, 2]'],
  ["another aggregate's rows", 'ARRAY(SELECT m FROM pos.mv_monthly_sales_summary m LIMIT 2)'],
])('mv_ops.apply_array refuses rows that are not of the target table: %s', async (_what, rows) => {
  const err = await errorOf(
    c.query(`SELECT mv_ops.apply_array('pos.mv_weekly_sales_summary', 'week_start_date', '{2025-01-06}', ${rows})`)
  );
  expect(err).toMatchObject({
    code: '42804',
    message: expect.stringMatching(/not rows of pos\.mv_weekly_sales_summary/),
  });
});
