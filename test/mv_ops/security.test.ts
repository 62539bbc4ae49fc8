import type { Client } from 'pg';
import { callRefresh, installThreeTier } from '../fixtures/threeTier';
import { asRole, errorOf, openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('security');
  c = await db.session();
  await installThreeTier(c);
  await c.query(`CREATE TABLE fx.y (id int)`);
  await callRefresh(c, 'NULL');
});
afterAll(() => db.close());

const denied = /permission denied/;

describe('the reader role', () => {
  test('reads status, alert and history', async () => {
    await asRole(c, 'mv_ops_reader', async () => {
      expect((await c.query(`SELECT * FROM mv_ops.freshness WHERE pack = 'fx'`)).rowCount).toBe(4);
      expect((await c.query(`SELECT * FROM mv_ops.freshness_alert WHERE pack = 'fx'`)).rowCount).toBe(4);
      expect((await c.query(`SELECT * FROM mv_ops.refresh_history`)).rowCount).toBeGreaterThan(0);
    });
  });

  test.each([
    ['refresh', `CALL mv_ops.refresh(ARRAY['fx.daily'])`],
    ['run due views', `CALL mv_ops.run_due()`],
    ['refresh through a step function', `SELECT mv_ops.refresh_step(1)`],
    ['read the log internals', `SELECT backend_pid, snapshot_xmin FROM mv_ops.refresh_log`],
    ['read the change journal', `SELECT * FROM mv_ops.source_change`],
    ['write the registry', `UPDATE mv_ops.managed_view SET enabled = false`],
    ['write the log', `DELETE FROM mv_ops.refresh_log`],
    ['change settings', `UPDATE mv_ops.setting SET value = '1 second'`],
    ['register a view', `SELECT mv_ops.register_view('fx.daily', 'x', 'x', '@hourly', '1 hour', '2 hours')`],
  ])('cannot %s', async (_what, sql) => {
    await asRole(c, 'mv_ops_reader', async () => {
      expect((await errorOf(c.query(sql))).message).toMatch(denied);
    });
  });
});

describe('the operator role', () => {
  test('can refresh a managed view and read its status', async () => {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_log`);
    // CALL with COMMIT cannot run inside asRole's transaction: switch the session's role instead.
    await c.query(`SET ROLE mv_ops_operator`);
    try {
      const run = await callRefresh(c, `views => ARRAY['fx.other_mv'], trigger => 'api', requested_by => 'alice'`);
      const history = await c.query(`SELECT status, requested_by FROM mv_ops.refresh_history WHERE run_id = $1`, [run]);
      expect(history.rows).toEqual([{ status: 'succeeded', requested_by: 'alice' }]);
    } finally {
      await c.query(`RESET ROLE`);
    }
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_log`)).rows[0].n).toBe(rows[0].n + 1);
  });

  test.each([
    ['x; drop table fx.y', 'unknown view "x; drop table fx.y": not a managed view'],
    ['fx.daily; DROP TABLE fx.y', 'unknown view "fx.daily; DROP TABLE fx.y": not a managed view'],
    [`fx.daily"; DROP TABLE fx.y; --`, `unknown view "fx.daily"; DROP TABLE fx.y; --": not a managed view`],
    ['fx.y', 'unknown view "fx.y": not a managed view'],
    ['pg_catalog.pg_class', 'unknown view "pg_catalog.pg_class": not a managed view'],
  ])('refuses the name %p, runs nothing and logs nothing (defect 004-8)', async (name, message) => {
    const before = (await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_run`)).rows[0].n;
    await c.query(`SET ROLE mv_ops_operator`);
    try {
      expect((await errorOf(c.query(`CALL mv_ops.refresh(views => ARRAY[$1::text])`, [name]))).message).toBe(message);
    } finally {
      await c.query(`RESET ROLE`);
    }
    expect((await c.query(`SELECT to_regclass('fx.y') IS NOT NULL AS exists`)).rows[0].exists).toBe(true);
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.refresh_run`)).rows[0].n).toBe(before);
  });

  test.each([
    ['read the base tables', `SELECT * FROM fx.sale`],
    ['write the base tables', `DELETE FROM fx.sale`],
    ['register a view', `SELECT mv_ops.register_view('fx.daily', 'x', 'x', '@hourly', '1 hour', '2 hours')`],
    ['refresh directly', `REFRESH MATERIALIZED VIEW fx.daily`],
    ['write the log', `UPDATE mv_ops.refresh_log SET status = 'succeeded'`],
  ])('cannot %s', async (_what, sql) => {
    await asRole(c, 'mv_ops_operator', async () => {
      expect((await errorOf(c.query(sql))).message).toMatch(/permission denied|must be owner/);
    });
  });
});

describe('PUBLIC', () => {
  test('has no privilege on any mv_ops function, procedure, table or view', async () => {
    const { rows } = await c.query(`
      SELECT p.oid::regprocedure::text AS object FROM pg_proc p
      WHERE p.pronamespace = 'mv_ops'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')
        AND p.prorettype <> 'trigger'::regtype
      UNION ALL
      SELECT c.oid::regclass::text FROM pg_class c
      WHERE c.relnamespace = 'mv_ops'::regnamespace AND c.relkind IN ('r', 'v', 'm')
        AND has_table_privilege('public', c.oid, 'SELECT')`);
    expect(rows).toEqual([]);
  });

  test('every SECURITY DEFINER function pins its search_path (defect 004-8)', async () => {
    const { rows } = await c.query(`
      SELECT p.oid::regprocedure::text AS fn FROM pg_proc p
      WHERE p.pronamespace = 'mv_ops'::regnamespace AND p.prosecdef
        AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) s WHERE s = 'search_path=pg_catalog, pg_temp')`);
    expect(rows).toEqual([]);
  });
});
