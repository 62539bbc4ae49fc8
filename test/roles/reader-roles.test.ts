// The two reader roles of migration 0096 as each sees the database (SET ROLE), over both packs seeded small:
// what the dashboards read works, nothing can be written or refreshed, funeral_mv stays out of reach, and the
// operators' source-scanning drift tools (pos.view_drift, pos.validation_alert) are refused to every reader.
import type { Client } from 'pg';
import { funeralSeeder } from '../../server/src/seed/funeral';
import { salesSeeder } from '../../server/src/seed/sales';
import { asRole, errorOf, openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(120_000);

const SALES = 'matviewops_sales_reader';
const PLATFORM = 'matviewops_platform_reader';
const READERS = [SALES, PLATFORM];
const OUR_SCHEMAS = ['mv_ops', 'pos', 'funeral', 'funeral_mv', 'auth'];

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('roles_readers');
  c = await db.session();
  await salesSeeder.seed(c, { scale: 0.1, seed: 3, progress: () => undefined });
  await funeralSeeder.seed(c, { scale: 0.05, seed: 5, progress: () => undefined });
});
afterAll(() => db.close());

const rowsAs = async (role: string, sql: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> =>
  asRole(c, role, async () => (await c.query(sql, params)).rows);
const deniedAs = async (role: string, sql: string): Promise<string> =>
  asRole(c, role, async () => (await errorOf(c.query(sql))).message);

/** Every privilege that could change something, on any object in a schema the role can use. */
const WRITE_POWERS = `
  SELECT c.oid::regclass::text || ' ' || p AS power
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) p
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND pg_catalog.has_schema_privilege($1, n.oid, 'USAGE')
    -- UPDATE on pg_settings is how SET works: every role has it, and it changes only the session.
    AND c.oid <> 'pg_catalog.pg_settings'::regclass
    AND CASE WHEN p IN ('INSERT', 'UPDATE') THEN pg_catalog.has_any_column_privilege($1, c.oid, p)
             ELSE pg_catalog.has_table_privilege($1, c.oid, p) END
  UNION ALL
  SELECT c.oid::regclass::text || ' nextval/setval' FROM pg_catalog.pg_class c
  WHERE c.relkind = 'S' AND pg_catalog.has_schema_privilege($1, c.relnamespace, 'USAGE')
    AND (pg_catalog.has_sequence_privilege($1, c.oid, 'USAGE') OR pg_catalog.has_sequence_privilege($1, c.oid, 'UPDATE'))
  UNION ALL
  -- Temporary schemas are private to a session (every role with TEMP may create there); nothing persists.
  SELECT 'CREATE on schema ' || n.nspname FROM pg_catalog.pg_namespace n
  WHERE pg_catalog.has_schema_privilege($1, n.oid, 'CREATE') AND n.nspname !~ '^pg_(toast_)?temp_'
  UNION ALL
  SELECT 'CREATE on database' WHERE pg_catalog.has_database_privilege($1, pg_catalog.current_database(), 'CREATE')
  UNION ALL
  SELECT 'CALL ' || p.oid::regprocedure::text FROM pg_catalog.pg_proc p
  WHERE p.prokind = 'p' AND pg_catalog.has_schema_privilege($1, p.pronamespace, 'USAGE')
    AND pg_catalog.has_function_privilege($1, p.oid, 'EXECUTE')
  ORDER BY 1`;

/** Roles the role belongs to, directly or through others (itself excluded). */
const MEMBER_OF = `
  WITH RECURSIVE up(oid) AS (
    SELECT m.roleid FROM pg_catalog.pg_auth_members m WHERE m.member = $1::regrole
    UNION SELECT m.roleid FROM pg_catalog.pg_auth_members m JOIN up ON m.member = up.oid)
  SELECT r.rolname::text AS role FROM up JOIN pg_catalog.pg_roles r ON r.oid = up.oid ORDER BY 1`;

describe('mv_ops_reader, which the sales reader is granted, holds reads only', () => {
  test('no write, sequence, CREATE or CALL privilege anywhere, and no role above it', async () => {
    expect((await c.query(WRITE_POWERS, ['mv_ops_reader'])).rows).toEqual([]);
    expect((await c.query(MEMBER_OF, ['mv_ops_reader'])).rows).toEqual([]);
  });

  test('every function of ours it may execute is declared STABLE or IMMUTABLE, but the usage statistics reader', async () => {
    const { rows } = await c.query(
      `SELECT p.oid::regprocedure::text AS fn FROM pg_catalog.pg_proc p
       WHERE p.pronamespace::regnamespace::text = ANY ($1) AND p.provolatile = 'v'
         AND pg_catalog.has_function_privilege('mv_ops_reader', p.oid, 'EXECUTE') ORDER BY 1`,
      [OUR_SCHEMAS]
    );
    // funeral.get_mv_usage_stats only SELECTs from pg_stat_statements (0055); VOLATILE because it raises NOTICEs.
    expect(rows).toEqual([{ fn: 'funeral.get_mv_usage_stats(integer)' }]);
  });
});

describe.each(READERS)('%s', (role) => {
  test('has no write, sequence, CREATE or CALL privilege on anything it can reach', async () => {
    expect((await c.query(WRITE_POWERS, [role])).rows).toEqual([]);
  });

  test.each([
    [
      'add a sale',
      `INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number) VALUES (current_date, now(), 'x')`,
    ],
    ['delete sales', `DELETE FROM pos.lengolf_sales`],
    ['write a sales setting', `UPDATE pos.setting SET value = 'UTC' WHERE name = 'time_zone'`],
    ['change an engine setting', `UPDATE mv_ops.setting SET value = '1 second'`],
    ['delete refresh history', `DELETE FROM mv_ops.refresh_log`],
    ['empty the reservations', `TRUNCATE funeral.reservations`],
    [
      'bind itself to a platform user',
      `INSERT INTO funeral.login_role_binding VALUES (current_user, gen_random_uuid())`,
    ],
    ['run a refresh', `CALL mv_ops.refresh()`],
    ['start a run', `SELECT mv_ops.start_run(NULL::text[], 'sales', true, 'api', 'x')`],
    [
      'ask the service path for a refresh',
      `SELECT mv_ops.request_refresh(NULL::text[], 'sales', true, 'api', 'x', NULL, '0', 4)`,
    ],
    ['refresh the sales pack its own way', `CALL pos.refresh_all_mv()`],
    ['refresh the platform pack its own way', `CALL funeral.refresh_all_materialized_views()`],
    ['refresh a sales view directly', `REFRESH MATERIALIZED VIEW pos.mv_daily_sales_summary`],
    ['refresh a platform view directly', `REFRESH MATERIALIZED VIEW funeral_mv.mv_search_index`],
    ['create a table', `CREATE TABLE public.grafana_scratch (i int)`],
  ])('cannot %s', async (_what, sql) => {
    expect(await deniedAs(role, sql)).toMatch(/permission denied|must be owner/);
  });

  test('cannot read any relation of funeral_mv (the storage behind the tenant rules)', async () => {
    const { rows } = await c.query(
      `SELECT c.oid::regclass::text AS rel FROM pg_catalog.pg_class c
       WHERE c.relnamespace = 'funeral_mv'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY 1`
    );
    expect(rows.length).toBeGreaterThanOrEqual(7);
    for (const { rel } of rows) {
      expect(await deniedAs(role, `SELECT 1 FROM ${rel} LIMIT 1`)).toMatch(/permission denied for schema funeral_mv/);
    }
  });
});

describe('the sales reader (data source "matview-ops sales & operations")', () => {
  test('reads every pos.mv_* relation, each with rows', async () => {
    const { rows } = await c.query(
      `SELECT c.oid::regclass::text AS rel FROM pg_catalog.pg_class c
       WHERE c.relnamespace = 'pos'::regnamespace AND c.relname LIKE 'mv\\_%' ORDER BY 1`
    );
    expect(rows.length).toBe(10); // the seed's 8 views, the visits view, and the freshness monitor
    for (const { rel } of rows) {
      const [{ n }] = await rowsAs(SALES, `SELECT count(*)::int AS n FROM ${rel}`);
      expect([rel, n]).toEqual([rel, expect.any(Number)]);
      expect(n).toBeGreaterThan(0);
    }
  });

  test('calls the three report functions over seeded dates', async () => {
    const [summary] = await rowsAs(
      SALES,
      `SELECT pos.get_dashboard_summary_enhanced_mv('2025-06-01', '2025-06-30', '2025-05-01', '2025-05-31') AS r`
    );
    const current = (summary.r as { current_period: { total_revenue: number } }).current_period;
    expect(Number(current.total_revenue)).toBeGreaterThan(0);
    const [weekly] = await rowsAs(SALES, `SELECT pos.get_weekly_reports_mv('2025-05-01', '2025-06-30') AS r`);
    const [monthly] = await rowsAs(SALES, `SELECT pos.get_monthly_reports_mv('2025-01-01', '2025-06-30') AS r`);
    expect(weekly.r).toEqual(expect.arrayContaining([expect.objectContaining({ totalRevenue: expect.any(Number) })]));
    expect((monthly.r as unknown[]).length).toBe(6);
  });

  test("reads the venue's time zone from pos.setting", async () => {
    expect(await rowsAs(SALES, `SELECT value FROM pos.setting WHERE name = 'time_zone'`)).toEqual([
      { value: 'Asia/Bangkok' },
    ]);
  });

  test('reads mv_ops status, alert shape and history for every pack', async () => {
    const packs = await rowsAs(SALES, `SELECT DISTINCT pack FROM mv_ops.freshness ORDER BY 1`);
    expect(packs).toEqual([{ pack: 'funeral' }, { pack: 'sales' }]);
    expect((await rowsAs(SALES, `SELECT * FROM mv_ops.freshness_alert`)).length).toBe(16);
    expect((await rowsAs(SALES, `SELECT * FROM mv_ops.refresh_history LIMIT 5`)).length).toBe(5);
    expect((await rowsAs(SALES, `SELECT * FROM mv_ops.scheduler_status()`)).length).toBeGreaterThan(0);
  });

  test('reads the drift alert verdict, pos.drift_alert, and not the sales table or pos.validate_views', async () => {
    const verdict = await rowsAs(
      SALES,
      `SELECT count(*)::int AS n, max(mismatched_metrics) AS worst FROM pos.drift_alert`
    );
    expect(verdict).toEqual([{ n: 6, worst: 0 }]); // the six sales views pos.drift_checks compares, none drifting
    expect(await deniedAs(SALES, `SELECT count(*) FROM pos.lengolf_sales`)).toMatch(/permission denied for table/);
    expect(await deniedAs(SALES, `SELECT * FROM pos.validate_views('2025-06-01')`)).toMatch(
      /permission denied for function/
    );
  });

  // No dashboard or alert rule reads them, and each makes the owner scan pos.lengolf_sales (pos.validation_alert
  // about 8 s at scale 100): a read-only login must not be able to start those scans.
  test('is refused pos.view_drift and pos.validation_alert (operator tools that scan the source)', async () => {
    expect(await deniedAs(SALES, `SELECT * FROM pos.view_drift('2025-06-01', '2025-06-30')`)).toMatch(
      /^permission denied for function view_drift$/
    );
    expect(await deniedAs(SALES, `SELECT * FROM pos.validation_alert`)).toMatch(
      /^permission denied for view validation_alert$/
    );
  });

  test.each([
    [
      'the live report functions (they scan the sales table)',
      `SELECT pos.get_dashboard_summary_live('2025-06-01', '2025-06-30', '2025-05-01', '2025-05-31')`,
    ],
    ['the platform views', `SELECT 1 FROM funeral.mv_organization_dashboard`],
    ['the platform source tables', `SELECT 1 FROM funeral.users`],
  ])('cannot use %s', async (_what, sql) => {
    expect(await deniedAs(SALES, sql)).toMatch(/permission denied/);
  });
});

describe('pos.view_drift and pos.validation_alert, for operators', () => {
  test('no role but their owner holds a privilege on them', async () => {
    const { rows } = await c.query(
      `SELECT r.oid::regclass::text AS object, a.grantee::regrole::text AS grantee, a.privilege_type AS privilege
       FROM pg_catalog.pg_class r CROSS JOIN LATERAL pg_catalog.aclexplode(r.relacl) a
       WHERE r.oid = 'pos.validation_alert'::regclass AND a.grantee <> r.relowner
       UNION ALL
       SELECT p.oid::regprocedure::text, a.grantee::regrole::text, a.privilege_type
       FROM pg_catalog.pg_proc p CROSS JOIN LATERAL pg_catalog.aclexplode(p.proacl) a
       WHERE p.oid = 'pos.view_drift(date, date)'::regprocedure AND a.grantee <> p.proowner`
    );
    expect(rows).toEqual([]);
    for (const role of [...READERS, 'mv_ops_reader', 'funeral_tenant']) {
      const drift = await deniedAs(role, `SELECT 1 FROM pos.view_drift('2025-06-01', '2025-06-30')`);
      const alert = await deniedAs(role, `SELECT 1 FROM pos.validation_alert`);
      expect({ role, drift, alert }).toEqual({
        role,
        // Refused at the object, or at the schema for the roles without pos (platform reader, funeral_tenant).
        drift: expect.stringMatching(/^permission denied for (function view_drift|schema pos)$/),
        alert: expect.stringMatching(/^permission denied for (view validation_alert|schema pos)$/),
      });
    }
  });

  test('as the owner: the views agree with the source over seeded dates, and the alert shape reads it', async () => {
    const drift = await c.query(`SELECT DISTINCT result FROM pos.view_drift('2025-06-01', '2025-06-30')`);
    expect(drift.rows).toEqual([{ result: 'PASS' }]);
    const alert = await c.query(`SELECT count(*)::int AS n, max(mismatch) AS worst FROM pos.validation_alert`);
    expect(alert.rows).toEqual([{ n: 10, worst: 0 }]);
  });

  test('the drift check finds a view that disagrees with the source', async () => {
    await c.query('BEGIN');
    try {
      // A sale the views have not seen: the comparison must report it.
      await c.query(`UPDATE pos.lengolf_sales SET sales_net = sales_net + 1000
                     WHERE id = (SELECT min(id) FROM pos.lengolf_sales WHERE date = '2025-06-10' AND NOT is_voided)`);
      const { rows } = await c.query(
        `SELECT view_name, metric FROM pos.view_drift('2025-06-01', '2025-06-30') WHERE result = 'FAIL' ORDER BY 1, 2`
      );
      expect(rows).toContainEqual({ view_name: 'mv_daily_sales_summary', metric: 'total_revenue' });
    } finally {
      await c.query('ROLLBACK');
    }
  });

  test('a drift range longer than 31 days is refused, so one call cannot scan years', async () => {
    const err = await errorOf(c.query(`SELECT * FROM pos.view_drift('2025-01-01', '2025-02-01')`));
    expect(err.code).toBe('22023');
    expect(err.message).toBe('the drift range covers 32 days; at most 31 are compared in one call');
  });
});

describe('the platform reader (data source "matview-ops platform")', () => {
  test('is a tenant role and nothing more: funeral_tenant, no mv_ops_reader', async () => {
    expect((await c.query(MEMBER_OF, [PLATFORM])).rows).toEqual([{ role: 'funeral_tenant' }]);
    expect((await c.query(MEMBER_OF, [SALES])).rows).toEqual([{ role: 'mv_ops_reader' }]);
  });

  test('unbound it is nobody: no identity and no rows (a login acts as the user it is bound to)', async () => {
    expect(await rowsAs(PLATFORM, `SELECT * FROM funeral.current_identity`)).toEqual([]);
    expect(await rowsAs(PLATFORM, `SELECT count(*)::int AS n FROM funeral.mv_organization_dashboard`)).toEqual([
      { n: 0 },
    ]);
  });

  test('reads the freshness of every platform view under the names tenants read, without error text', async () => {
    const rows = await rowsAs(PLATFORM, `SELECT * FROM funeral.view_freshness ORDER BY view_name`);
    const tenantViews = await c.query(
      `SELECT 'funeral.' || c.relname AS v FROM pg_catalog.pg_class c
       WHERE c.relnamespace = 'funeral'::regnamespace AND c.relname LIKE 'mv\\_%'
         AND pg_catalog.has_table_privilege('funeral_tenant', c.oid, 'SELECT') ORDER BY 1`
    );
    expect(rows.map((r) => r.view_name)).toEqual(tenantViews.rows.map((r) => r.v));
    expect(rows.every((r) => r.state === 'fresh')).toBe(true);
    expect(Object.keys(rows[0])).not.toContain('last_error');
  });

  test('the freshness is granted to funeral_tenant, so a tenant login made IN ROLE funeral_tenant reads it too', async () => {
    // It holds no tenant data (the pack's freshness only); the platform reader has it through funeral_tenant.
    const grantees = await c.query(
      `SELECT a.grantee::regrole::text AS grantee, a.privilege_type AS privilege
       FROM pg_catalog.pg_class r CROSS JOIN LATERAL pg_catalog.aclexplode(r.relacl) a
       WHERE r.oid = 'funeral.view_freshness'::regclass AND a.grantee <> r.relowner
       UNION ALL
       SELECT a.grantee::regrole::text, a.privilege_type
       FROM pg_catalog.pg_proc p CROSS JOIN LATERAL pg_catalog.aclexplode(p.proacl) a
       WHERE p.oid = 'funeral.view_freshness_rows()'::regprocedure AND a.grantee <> p.proowner
       ORDER BY 1, 2`
    );
    expect(grantees.rows).toEqual([
      { grantee: 'funeral_tenant', privilege: 'EXECUTE' },
      { grantee: 'funeral_tenant', privilege: 'SELECT' },
    ]);
    const rows = await rowsAs('funeral_tenant', `SELECT view_name FROM funeral.view_freshness ORDER BY view_name`);
    expect(rows).toHaveLength(7);
    for (const role of ['funeral_anon', 'funeral_authenticated']) {
      expect(await deniedAs(role, `SELECT 1 FROM funeral.view_freshness`)).toMatch(/permission denied/);
    }
  });

  test.each([
    ['mv_ops status (it would show the sales pack too)', `SELECT 1 FROM mv_ops.freshness`],
    ['the sales views', `SELECT 1 FROM pos.mv_daily_sales_summary`],
    ['the platform source tables', `SELECT 1 FROM funeral.reservations`],
    ['the login bindings', `SELECT 1 FROM funeral.login_role_binding`],
    ['the refresh log views of the pack', `SELECT 1 FROM funeral.materialized_view_refresh_logs`],
  ])('cannot read %s', async (_what, sql) => {
    expect(await deniedAs(PLATFORM, sql)).toMatch(/permission denied/);
  });
});
