// A view whose very first refresh fails is failing (severity 3), not "never refreshed" (severity 2):
// it is broken, and on-call must get the failing alert with its SQLSTATE.
import type { Client } from 'pg';
import { callRefresh, installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('freshness_first_fails');
  c = await db.session();
  await installThreeTier(c);
  // qty 0 makes fx.daily divide by zero before it has ever been populated.
  await c.query(`INSERT INTO fx.sale (day, amount, qty) VALUES ('2025-01-13', 1, 0)`);
  await callRefresh(c, `views => ARRAY['fx.daily']`);
});
afterAll(() => db.close());

test('the never-populated view whose refresh failed is failing with its SQLSTATE; views never attempted stay never_refreshed', async () => {
  const { rows } = await c.query(
    `SELECT view_name, state, last_error FROM mv_ops.freshness WHERE view_name IN ('fx.daily', 'fx.other_mv') ORDER BY 1`
  );
  expect(rows).toEqual([
    { view_name: 'fx.daily', state: 'failing', last_error: '22012: division by zero' },
    { view_name: 'fx.other_mv', state: 'never_refreshed', last_error: null },
  ]);
});

test('its alert instance has severity 3, as the reader Grafana uses sees it', async () => {
  await c.query('BEGIN');
  try {
    await c.query('SET LOCAL ROLE mv_ops_reader');
    const { rows } = await c.query(
      `SELECT view, severity FROM mv_ops.freshness_alert WHERE view IN ('fx.daily', 'fx.other_mv') ORDER BY 1`
    );
    expect(rows).toEqual([
      { view: 'fx.daily', severity: 3 },
      { view: 'fx.other_mv', severity: 2 },
    ]);
  } finally {
    await c.query('ROLLBACK');
  }
});
