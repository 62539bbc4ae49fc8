// The plans of an incremental visits refresh, as executed (auto_explain of its nested statements). Its temp tables
// are not analyzed, so the planner cannot tell how the rows of two of them match: a join of visit_facts with
// visit_rows was once estimated at one row and run as a nested loop over both, 1.2-1.7 s of a 15-minute batch's
// refresh at scale 100 instead of milliseconds (migration 0120). Such a join must not come back.
import type { Client } from 'pg';
import { salesSeeder } from '../../server/src/seed/sales';
import { nestedPlans, type PlanNode } from '../harness/nestedPlans';
import { openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(180_000);

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('sales_visits_plan');
  c = await db.session();
  await salesSeeder.seed(c, { scale: 0.05, seed: 7, progress: () => undefined });
});
afterAll(() => db.close());

/** The relations a plan subtree scans. */
const relationsOf = (n: PlanNode): string[] => [
  ...(n['Relation Name'] ? [n['Relation Name']] : []),
  ...(n.Plans ?? []).flatMap(relationsOf),
];

/** Every join node whose inputs read visit_facts on one side and visit_rows on the other. */
const tempJoins = (n: PlanNode): string[] => {
  const here: string[] = [];
  if (/Nested Loop|Hash Join|Merge Join/.test(n['Node Type']) && n.Plans?.length === 2) {
    const [outer, inner] = n.Plans.map(relationsOf);
    const pair = (a: string[], b: string[]) => a.includes('visit_facts') && b.includes('visit_rows');
    if (pair(outer, inner) || pair(inner, outer)) {
      here.push(`${n['Node Type']}: ${outer.join(',')} × ${inner.join(',')}`);
    }
  }
  return [...here, ...(n.Plans ?? []).flatMap(tempJoins)];
};

/** The statements of a scheduled refresh of the visits alone, each with its plan. */
const plansOfScheduledVisitsRefresh = () =>
  nestedPlans(
    c,
    `CALL mv_ops.refresh(views => ARRAY['pos.mv_customer_daily_visits'], cascade => false, trigger => 'schedule')`
  );

test('an incremental visits refresh never joins visit_facts with visit_rows, whose match the planner cannot estimate', async () => {
  const { rows } = await c.query<{ day: string; phone: string }>(
    `SELECT date::text AS day, customer_phone_number AS phone FROM pos.lengolf_sales
     WHERE pos.customer_key(customer_phone_number) IS NOT NULL AND NOT is_voided ORDER BY date DESC, id LIMIT 1`
  );
  // A returning customer's sale, a new customer's, and a line voided: rows changed, added and (maybe) gone.
  await c.query(
    `INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number, customer_phone_number, sales_net)
     VALUES ($1, $1::date + time '12:00', 'plan-1', $2, 10), ($1, $1::date + time '12:05', 'plan-2', '0899990077', 20)`,
    [rows[0].day, rows[0].phone]
  );
  await c.query(
    `UPDATE pos.lengolf_sales SET is_voided = true
     WHERE id = (SELECT id FROM pos.lengolf_sales WHERE date < $1::date - 30 AND NOT is_voided ORDER BY id LIMIT 1)`,
    [rows[0].day]
  );
  const plans = await plansOfScheduledVisitsRefresh();
  const { rows: log } = await c.query(
    `SELECT status, refresh_type FROM mv_ops.refresh_log WHERE view_name = 'pos.mv_customer_daily_visits'
     ORDER BY log_id DESC LIMIT 1`
  );
  expect(log[0]).toEqual({ status: 'succeeded', refresh_type: 'incremental' });
  // The statements that read the temp tables were captured, the delete of the replaced rows among them.
  expect(plans.some((p) => p.query.startsWith('DELETE FROM pos.mv_customer_daily_visits'))).toBe(true);
  expect(plans.filter((p) => relationsOf(p.plan).includes('visit_rows')).length).toBeGreaterThanOrEqual(2);
  expect(plans.flatMap((p) => tempJoins(p.plan))).toEqual([]);
});

test('the check sees such a join where a statement makes one', async () => {
  await c.query('BEGIN');
  try {
    await c.query(
      `CREATE TEMP TABLE visit_facts ON COMMIT DROP AS SELECT DATE '2025-01-01' AS date, 'a' AS customer_key`
    );
    await c.query(
      `CREATE TEMP TABLE visit_rows ON COMMIT DROP AS SELECT DATE '2025-01-01' AS date, 'a' AS customer_key`
    );
    const { rows } = await c.query(
      `EXPLAIN (FORMAT JSON) SELECT * FROM visit_facts f JOIN visit_rows r USING (date, customer_key)`
    );
    expect(tempJoins(rows[0]['QUERY PLAN'][0].Plan)).toEqual([
      expect.stringMatching(/visit_facts × visit_rows|visit_rows × visit_facts/),
    ]);
  } finally {
    await c.query('ROLLBACK');
  }
});
