import type { Client } from 'pg';
import { callRefresh, installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('maintenance');
  c = await db.session();
  await installThreeTier(c);
});
afterAll(() => db.close());

const count = async (sql: string): Promise<number> => (await c.query(sql)).rows[0].n;

describe('housekeeping', () => {
  test("prune_log deletes runs older than log_retention but keeps each view's latest success", async () => {
    await callRefresh(c, 'NULL');
    await callRefresh(c, `views => ARRAY['fx.other_mv']`);
    await c.query(`INSERT INTO fx.sale (day, amount, qty) VALUES ('2025-01-20', 1, 0)`);
    await callRefresh(c, `views => ARRAY['fx.daily']`); // fails: the 1st run holds daily's latest success
    await c.query(`SET mv_ops.clock_offset = '100 days'`);
    try {
      expect(await count(`SELECT mv_ops.prune_log() AS n`)).toBe(1); // only the failed run goes
      expect(await count(`SELECT count(*)::int AS n FROM mv_ops.refresh_run`)).toBe(2);
      const { rows } = await c.query(`SELECT state FROM mv_ops.freshness WHERE view_name = 'fx.other_mv'`);
      expect(rows[0].state).not.toBe('never_refreshed');
    } finally {
      await c.query(`RESET mv_ops.clock_offset`);
    }
  });

  test('log_retention is read at each prune: a run younger than it stays, the same run past a shorter one goes', async () => {
    const older = await callRefresh(c, `views => ARRAY['fx.other_mv']`);
    await callRefresh(c, `views => ARRAY['fx.other_mv']`); // the latest success, kept whatever the age
    const setting = async (value: string) =>
      c.query(`UPDATE mv_ops.setting SET value = $1 WHERE name = 'log_retention'`, [value]);
    const kept = async () => count(`SELECT count(*)::int AS n FROM mv_ops.refresh_run WHERE run_id = ${older}`);
    const original = (await c.query(`SELECT value FROM mv_ops.setting WHERE name = 'log_retention'`)).rows[0].value;
    await c.query(`SET mv_ops.clock_offset = '100 days'`);
    try {
      await setting('200 days');
      expect(await count(`SELECT mv_ops.prune_log() AS n`)).toBe(0);
      expect(await kept()).toBe(1);
      await setting('30 days');
      expect(await count(`SELECT mv_ops.prune_log() AS n`)).toBeGreaterThanOrEqual(1);
      expect(await kept()).toBe(0);
    } finally {
      await setting(original);
      await c.query(`RESET mv_ops.clock_offset`);
    }
  });

  test('prune_source_changes keeps changes a view has not refreshed past, and drops the rest', async () => {
    await c.query(`DELETE FROM fx.sale WHERE qty = 0`);
    await c.query(`INSERT INTO fx.other VALUES (10)`);
    await callRefresh(c, `views => ARRAY['fx.daily']`);
    await c.query(`SELECT mv_ops.prune_source_changes()`);
    const { rows } = await c.query(`SELECT source_oid::regclass::text AS t FROM mv_ops.source_change ORDER BY 1`);
    expect(rows).toEqual([{ t: 'fx.other' }]);
  });

  test('prune_cron_history is harmless where pg_cron is absent', async () => {
    expect(await count(`SELECT mv_ops.prune_cron_history() AS n`)).toBe(0);
  });
});
