// Partition management: next months' partitions idempotently, old ones dropped after retention with the change
// recorded and dependents refreshed, change tracking on every new partition; and the pg_cron jobs.
import { Client } from 'pg';
import { installFanout, USER } from '../fixtures/funeralFanout';
import { errorOf, openTestDatabase, type TestDb } from '../harness/sql';
import { ENV, requireUrl } from '../harness/testDatabase';

let db: TestDb;
let c: Client;

const OLD_MONTH = `(date_trunc('month', CURRENT_DATE) - interval '30 months')::date`;
const oldSuffix = async (): Promise<string> =>
  (await c.query(`SELECT to_char(${OLD_MONTH}, '"y"YYYY"m"MM') AS s`)).rows[0].s;
const exists = async (rel: string): Promise<boolean> =>
  (await c.query(`SELECT to_regclass($1) IS NOT NULL AS e`, [rel])).rows[0].e;
const reservationsOfC2 = async (): Promise<string> =>
  (
    await c.query(`SELECT total_reservations FROM funeral_mv.mv_customer_lifetime_value WHERE customer_id = $1`, [
      USER.c2,
    ])
  ).rows[0].total_reservations;

beforeAll(async () => {
  db = await openTestDatabase('funeral_partitions');
  c = await db.session();
  await installFanout(c);
});
afterAll(() => db.close());

describe('funeral.manage_partitions (defect 004-11)', () => {
  test("creates next month's partitions once; a second run creates nothing", async () => {
    const next = `to_char(CURRENT_DATE + interval '2 months', '"y"YYYY"m"MM')`;
    await c.query(`UPDATE funeral.pack_setting SET value = '2' WHERE name = 'partition_months_ahead'`);
    const first = (await c.query(`SELECT * FROM funeral.manage_partitions()`)).rows[0];
    expect(first.created).toBe(2); // reservations and payments, two months ahead (the fixture made the rest)
    const suffix = (await c.query(`SELECT ${next} AS s`)).rows[0].s;
    expect(await exists(`funeral.reservations_${suffix}`)).toBe(true);
    expect(await exists(`funeral.payments_${suffix}`)).toBe(true);
    expect((await c.query(`SELECT * FROM funeral.manage_partitions()`)).rows[0]).toMatchObject({
      created: 0,
      dropped: 0,
    });
  });

  test('new partitions get the mv_ops change-tracking trigger', async () => {
    const suffix = (await c.query(`SELECT to_char(CURRENT_DATE + interval '2 months', '"y"YYYY"m"MM') AS s`)).rows[0].s;
    const { rows } = await c.query(
      `SELECT count(*)::int AS n FROM pg_trigger WHERE tgname = 'mv_ops_track_changes' AND tgrelid = ANY ($1::regclass[])`,
      [[`funeral.reservations_${suffix}`, `funeral.payments_${suffix}`]]
    );
    expect(rows[0].n).toBe(2);
  });

  test('drops partitions older than the retention, records the change, and the procedure refreshes dependents', async () => {
    await c.query(`SELECT funeral.create_month_partitions(${OLD_MONTH})`);
    await c.query(`INSERT INTO funeral.reservations (organization_id, user_id, status, scheduled_date, total_amount, created_at)
                   VALUES (1, '${USER.c2}', 'completed', ${OLD_MONTH}, 100, ${OLD_MONTH} + interval '1 day')`);
    await c.query(`CALL mv_ops.refresh(views => ARRAY['funeral_mv.mv_customer_lifetime_value'])`);
    expect(await reservationsOfC2()).toBe('3');
    const suffix = await oldSuffix();

    const { rows } = await c.query(`CALL funeral.automate_partition_management_with_mv()`);
    expect(await exists(`funeral.reservations_${suffix}`)).toBe(false);
    expect(await exists(`funeral.payments_${suffix}`)).toBe(false);
    const booked = await c.query(
      `SELECT count(*)::int AS n FROM funeral.partition_management WHERE dropped_at IS NOT NULL`
    );
    expect(booked.rows[0].n).toBe(2);
    expect(await reservationsOfC2()).toBe('2');
    const refreshed = await c.query(`SELECT view_name FROM mv_ops.refresh_log WHERE run_id = $1 ORDER BY 1`, [
      rows[0].run_id,
    ]);
    expect(refreshed.rows.map((r) => r.view_name)).toEqual([
      'funeral_mv.mv_customer_lifetime_value',
      'funeral_mv.mv_financial_summary',
      'funeral_mv.mv_location_availability',
      'funeral_mv.mv_organization_dashboard',
      'funeral_mv.mv_service_performance',
    ]);
  });

  test('a dropped partition counts as a source change for the scheduler', async () => {
    await c.query(`SELECT funeral.create_month_partitions(${OLD_MONTH})`);
    await c.query(`CALL funeral.refresh_all_materialized_views()`);
    expect((await c.query(`SELECT funeral.drop_old_partitions()`)).rows[0].drop_old_partitions).toBe(2);
    const { rows } = await c.query(
      `SELECT m.view_name FROM mv_ops.view_state_at(now()) s JOIN mv_ops.managed_view m USING (view_id)
       WHERE m.pack = 'funeral' AND s.sources_changed ORDER BY 1`
    );
    expect(rows.map((r) => r.view_name)).toContain('mv_financial_summary');
  });

  test('only the owner manages partitions', async () => {
    for (const role of ['mv_ops_operator', 'funeral_tenant', 'funeral_anon']) {
      await c.query(`SET ROLE ${role}`);
      try {
        expect((await errorOf(c.query(`SELECT funeral.drop_old_partitions('1 day')`))).message).toMatch(
          /permission denied/
        );
      } finally {
        await c.query(`RESET ROLE`);
      }
    }
  });
});

describe('pg_cron jobs in the cron database', () => {
  test('the funeral jobs are scheduled by name; the availability aggregate has no job of its own (mv_ops_run_due runs it)', async () => {
    const main = new Client({ connectionString: requireUrl(ENV.main) });
    await main.connect();
    try {
      const { rows } = await main.query(
        `SELECT jobname, schedule, command FROM cron.job WHERE jobname LIKE 'funeral\\_%' ORDER BY 1`
      );
      expect(rows).toEqual([
        {
          jobname: 'funeral_partition_management',
          schedule: '30 0 * * *',
          command: 'CALL funeral.automate_partition_management_with_mv()',
        },
      ]);
      const scheduler = await main.query(`SELECT schedule, command FROM cron.job WHERE jobname = 'mv_ops_run_due'`);
      expect(scheduler.rows).toEqual([{ schedule: '* * * * *', command: 'CALL mv_ops.run_due()' }]);
      const registered = await main.query(
        `SELECT kind, schedule FROM mv_ops.managed_view WHERE schema_name = 'funeral_mv' AND view_name = 'realtime_availability'`
      );
      expect(registered.rows).toEqual([{ kind: 'aggregate', schedule: '*/15 * * * *' }]);
      // What the partition job runs works in the cron database too.
      await main.query(`CALL funeral.automate_partition_management_with_mv()`);
    } finally {
      await main.end();
    }
  });
});
