// The keyed-aggregate machinery on the sales pack, case by case: what a refresh is handed, what forces a full
// one, what a failure leaves, that the journal empties, and that customer ids never move.
import type { Client } from 'pg';
import { salesSeeder } from '../../server/src/seed/sales';
import { viewState } from '../fixtures/viewState';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';

jest.setTimeout(180_000);

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('sales_incremental_cases');
  c = await db.session();
  await salesSeeder.seed(c, { scale: 0.1, seed: 11, progress: () => undefined });
  await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'manual')`);
});
afterAll(() => db.close());

const lastRun = async () =>
  Object.fromEntries(
    (
      await c.query(`SELECT view_name, status, refresh_type, key_count FROM mv_ops.refresh_log
                     WHERE run_id = (SELECT max(run_id) FROM mv_ops.refresh_run) ORDER BY position`)
    ).rows.map((r) => [r.view_name, `${r.status} ${r.refresh_type} ${r.key_count ?? '-'}`])
  );
const scheduled = () => c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')`);
/** Whether the scheduler sees a source change the daily summary has not taken (mv_ops.view_state_at). */
const dailySourcesChanged = async (): Promise<boolean> =>
  (await viewState(c, 'pos.mv_daily_sales_summary')).sources_changed;
const someDay = async (offset: number): Promise<string> =>
  (await c.query(`SELECT date::text AS d FROM pos.mv_daily_sales_summary ORDER BY date OFFSET $1 LIMIT 1`, [offset]))
    .rows[0].d;

describe('keyed sales aggregates', () => {
  test('nothing changed: every aggregate is refreshed incrementally with 0 keys and the journal is empty', async () => {
    await scheduled();
    const run = await lastRun();
    expect(Object.values(run)).toHaveLength(9);
    expect(new Set(Object.values(run))).toEqual(new Set(['succeeded incremental 0']));
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.changed_key`)).rows[0].n).toBe(0);
  });

  test('an update journals the old and the new date; a refresh takes both and prunes the journal', async () => {
    const [from, to] = [await someDay(10), await someDay(20)];
    await c.query(
      `UPDATE pos.lengolf_sales SET date = $2 WHERE id = (SELECT min(id) FROM pos.lengolf_sales WHERE date = $1)`,
      [from, to]
    );
    const journaled = await c.query(
      `SELECT key::text AS k FROM mv_ops.changed_key WHERE source = 'pos.lengolf_sales' ORDER BY 1`
    );
    expect(journaled.rows.map((r) => r.k)).toEqual([from, to].sort());
    await scheduled();
    expect((await lastRun())['pos.mv_daily_sales_summary']).toBe('succeeded incremental 2');
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.changed_key`)).rows[0].n).toBe(0);
  });

  test('a transaction writing one date in two statements journals it twice; the refresh takes it once', async () => {
    const day = await someDay(30);
    await c.query('BEGIN');
    await c.query(
      `UPDATE pos.lengolf_sales SET sales_net = sales_net + 1 WHERE id = (SELECT min(id) FROM pos.lengolf_sales WHERE date = $1)`,
      [day]
    );
    await c.query(
      `UPDATE pos.lengolf_sales SET sales_net = sales_net - 1 WHERE id = (SELECT max(id) FROM pos.lengolf_sales WHERE date = $1)`,
      [day]
    );
    await c.query('COMMIT');
    const journaled = await c.query(`SELECT key::text AS k FROM mv_ops.changed_key WHERE source = 'pos.lengolf_sales'`);
    expect(journaled.rows.map((r) => r.k)).toEqual([day, day]);
    await scheduled();
    expect((await lastRun())['pos.mv_daily_sales_summary']).toBe('succeeded incremental 1');
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.changed_key`)).rows[0].n).toBe(0);
  });

  test('a bay-capacity change (tracked without a key) makes the daily summary refresh in full', async () => {
    await c.query(`UPDATE pos.bay_capacity SET bays = bays + 1 WHERE effective_from = '2024-09-01'`);
    try {
      await scheduled();
      expect((await lastRun())['pos.mv_daily_sales_summary']).toBe('succeeded full -');
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM pos.mv_daily_sales_summary
                                      WHERE date >= '2024-09-01' AND sim_capacity_hours <> 5 * 12`);
      expect(rows[0].n).toBe(0);
    } finally {
      await c.query(`UPDATE pos.bay_capacity SET bays = bays - 1 WHERE effective_from = '2024-09-01'`);
      await scheduled();
    }
  });

  test('a TRUNCATE of a source makes every aggregate reading it refresh in full; a full refresh restores the emptied one', async () => {
    const before = (await c.query(`SELECT count(*)::int AS n FROM pos.mv_weekly_sales_summary`)).rows[0].n;
    await c.query(`TRUNCATE pos.mv_weekly_sales_summary`);
    await scheduled();
    const run = await lastRun();
    expect(run['pos.mv_monthly_sales_summary']).toBe('succeeded full -');
    expect(run['pos.mv_weekly_reports_cache']).toBe('succeeded full -');
    // The emptied table itself changed behind mv_ops (the drift alert says so); a person's refresh repairs it.
    expect(run['pos.mv_weekly_sales_summary']).toBe('succeeded incremental 0');
    await c.query(`CALL mv_ops.refresh(views => ARRAY['pos.mv_weekly_sales_summary'])`);
    expect((await lastRun())['pos.mv_weekly_sales_summary']).toBe('succeeded full -');
    expect((await c.query(`SELECT count(*)::int AS n FROM pos.mv_weekly_sales_summary`)).rows[0].n).toBe(before);
  });

  test('a failed incremental refresh keeps the previous rows and its progress: the next one takes the same keys', async () => {
    const day = await someDay(30);
    const revenue = async () =>
      (await c.query(`SELECT total_revenue::text AS r FROM pos.mv_daily_sales_summary WHERE date = $1`, [day])).rows[0]
        .r;
    const before = await revenue();
    await c.query(
      `UPDATE pos.lengolf_sales SET sales_net = sales_net + 100
                   WHERE id = (SELECT min(id) FROM pos.lengolf_sales WHERE date = $1 AND NOT is_voided)`,
      [day]
    );
    const holder = await db.session();
    const lockTimeout = (await c.query(`SELECT value FROM mv_ops.setting WHERE name = 'lock_timeout'`)).rows[0].value;
    await c.query(`UPDATE mv_ops.setting SET value = '200 milliseconds' WHERE name = 'lock_timeout'`);
    try {
      await holder.query(`BEGIN; LOCK TABLE pos.mv_daily_sales_summary IN EXCLUSIVE MODE`);
      await c.query(`CALL mv_ops.refresh(views => ARRAY['pos.mv_daily_sales_summary'], trigger => 'schedule')`);
      expect((await lastRun())['pos.mv_daily_sales_summary']).toMatch(/^failed incremental/);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
      await c.query(`UPDATE mv_ops.setting SET value = $1 WHERE name = 'lock_timeout'`, [lockTimeout]);
    }
    expect(await revenue()).toBe(before);
    await scheduled();
    expect((await lastRun())['pos.mv_daily_sales_summary']).toBe('succeeded incremental 1');
    expect(Number(await revenue())).toBe(Number(before) + 100);
  });

  test('customer ids are stable: a day untouched by any change keeps its id array through incremental and full refreshes', async () => {
    const day = (
      await c.query(`SELECT date::text AS d FROM pos.mv_customer_analytics WHERE cardinality(customer_ids) > 1
                     ORDER BY date OFFSET 5 LIMIT 1`)
    ).rows[0].d;
    const ids = async () =>
      (await c.query(`SELECT customer_ids FROM pos.mv_customer_analytics WHERE date = $1`, [day])).rows[0].customer_ids;
    const before = await ids();
    expect(before.length).toBeGreaterThan(0);
    await c.query(
      `INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number, customer_phone_number, sales_net)
                   VALUES ($1::date - 3, $1::date - 3 + time '12:00', 'ids-1', '0000000001', 5)`,
      [day]
    );
    await scheduled();
    expect(await ids()).toEqual(before);
    await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'manual')`);
    expect(await ids()).toEqual(before);
  });
  test('a pending full refresh keeps the journal rows it has not seen, though other aggregates consume and prune them', async () => {
    // The emergency rebuild marks every sales aggregate for a full refresh, keeping its progress row meanwhile.
    await c.query(`SELECT pos.rebuild_views()`);
    await c.query(`INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number, sales_net)
                   VALUES ((SELECT max(date) FROM pos.lengolf_sales), now(), 'pending-1', 3)`);
    await c.query(
      `CALL mv_ops.refresh(views => ARRAY['pos.mv_daily_sales_summary'], cascade => false, trigger => 'schedule')`
    );
    expect((await lastRun())['pos.mv_daily_sales_summary']).toBe('succeeded full -');
    const journaled = async () =>
      (await c.query(`SELECT count(*)::int AS n FROM mv_ops.changed_key WHERE source = 'pos.lengolf_sales'`)).rows[0].n;
    expect(await journaled()).toBeGreaterThan(0); // visits and product performance have not refreshed yet
    await scheduled();
    expect(Object.values(await lastRun()).every((r) => String(r).startsWith('succeeded'))).toBe(true);
    expect(await journaled()).toBe(0);
    await scheduled();
    expect(new Set(Object.values(await lastRun()))).toEqual(new Set(['succeeded incremental 0']));
  });

  test("the live tail's 'today' is the real date: a session's mv_ops.clock_offset cannot open another day", async () => {
    await c.query(`SET mv_ops.clock_offset = '-400 days'`);
    try {
      await expect(
        c.query(`SELECT * FROM pos.live_tail_sales((mv_ops.now() AT TIME ZONE 'Asia/Bangkok')::date)`)
      ).rejects.toThrow(/zero-lag reads are for today/);
    } finally {
      await c.query(`RESET mv_ops.clock_offset`);
    }
  });
  test('a paused keyed aggregate does not hold the journal; resumed, it is due and refreshed in full, equal to a full recompute', async () => {
    const journaled = async () =>
      (await c.query(`SELECT count(*)::int AS n FROM mv_ops.changed_key WHERE source = 'pos.lengolf_sales'`)).rows[0].n;
    const daily = async () =>
      (await c.query(`SELECT t::text AS r FROM pos.mv_daily_sales_summary t ORDER BY 1`)).rows.map((r) => r.r);
    await c.query(`SELECT mv_ops.set_enabled('pos.mv_daily_sales_summary', false)`);
    try {
      const day = await someDay(40);
      await c.query(
        `UPDATE pos.lengolf_sales SET sales_net = sales_net + 3 WHERE id = (SELECT min(id) FROM pos.lengolf_sales WHERE date = $1)`,
        [day]
      );
      // What the schedule runs while it is paused: the other readers of the sales table.
      await c.query(`CALL mv_ops.refresh(views => ARRAY['pos.mv_customer_daily_visits', 'pos.mv_product_performance'],
                                         cascade => false, trigger => 'schedule')`);
      // They consumed the change, and nothing waits for the paused one.
      expect(await journaled()).toBe(0);
    } finally {
      await c.query(`SELECT mv_ops.set_enabled('pos.mv_daily_sales_summary', true)`);
    }
    // Resumed: due at the next tick (its sources changed), though the journal no longer holds what it missed.
    expect(await dailySourcesChanged()).toBe(true);
    await scheduled();
    expect((await lastRun())['pos.mv_daily_sales_summary']).toMatch(/^succeeded full/);
    const afterResume = await daily();
    await c.query(`CALL mv_ops.refresh(views => ARRAY['pos.mv_daily_sales_summary'], trigger => 'manual')`);
    expect(await daily()).toEqual(afterResume);
    await scheduled();
    expect((await lastRun())['pos.mv_daily_sales_summary']).toBe('succeeded incremental 0');
  });
  test('a writer that commits while a refresh is starting is still due: the refresh did not take it, so the tick must', async () => {
    const writer = await db.session();
    const locker = await db.session();
    const refresher = await db.session();
    try {
      const day = await someDay(50);
      await writer.query('BEGIN');
      await writer.query(
        `UPDATE pos.lengolf_sales SET sales_net = sales_net + 5 WHERE id = (SELECT min(id) FROM pos.lengolf_sales WHERE date = $1)`,
        [day]
      );
      // The refresh takes its snapshot (the writer still in progress), then waits on the key progress...
      await locker.query('BEGIN; LOCK mv_ops.key_progress IN ACCESS EXCLUSIVE MODE');
      const pid = (await refresher.query('SELECT pg_backend_pid() AS p')).rows[0].p;
      const refresh =
        refresher.query(`CALL mv_ops.refresh(views => ARRAY['pos.mv_daily_sales_summary'], cascade => false,
                                                            trigger => 'schedule')`);
      await waitFor(
        async () =>
          (await c.query(`SELECT count(*)::int AS n FROM pg_locks WHERE pid = $1 AND NOT granted`, [pid])).rows[0].n >
          0,
        'the refresh to wait on the key progress lock'
      );
      // ...while the writer commits: the change is not in the refresh's snapshot, but in every later one.
      await writer.query('COMMIT');
      await locker.query('COMMIT');
      await refresh;
      expect((await lastRun())['pos.mv_daily_sales_summary']).toBe('succeeded incremental 0');
      expect(await dailySourcesChanged()).toBe(true);
      await scheduled();
      expect((await lastRun())['pos.mv_daily_sales_summary']).toBe('succeeded incremental 1');
    } finally {
      await Promise.all([writer.end(), locker.end(), refresher.end()]);
    }
  });
});
