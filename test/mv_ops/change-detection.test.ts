import type { Client } from 'pg';
import { callRefresh, installThreeTier, logOf } from '../fixtures/threeTier';
import { openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('changes');
  c = await db.session();
  await installThreeTier(c);
  // A date-relative view over an untouched table: only the day boundary can make it due.
  await c.query(`
    CREATE TABLE fx.cal (d date PRIMARY KEY);
    INSERT INTO fx.cal VALUES ('2025-01-01');
    CREATE MATERIALIZED VIEW fx.since AS SELECT d, current_date - d AS days_ago FROM fx.cal WITH NO DATA;
    CREATE UNIQUE INDEX ON fx.since (d);
    SELECT mv_ops.register_view('fx.since', 'cal', 'days since', '*/15 * * * *', '30 minutes', '2 hours', date_relative => true);`);
  await setClock(0);
  await callRefresh(c, 'NULL');
});
afterAll(() => db.close());

/** Sets this session's engine clock to `minutes` after 12:00 UTC tomorrow, whatever the real time of day. */
async function setClock(minutes: number): Promise<void> {
  await c.query(
    `SELECT set_config('mv_ops.clock_offset',
       ((date_trunc('day', now() AT TIME ZONE 'UTC') + interval '36 hours' + make_interval(mins => $1)) AT TIME ZONE 'UTC' - now())::text, false)`,
    [minutes]
  );
}

/**
 * Runs what is due at `minutes` after the base moment in this test's packs (the template database also
 * holds the product's packs); returns view:trigger of the runs' attempts.
 */
async function runDueAt(minutes: number): Promise<string[]> {
  await setClock(minutes);
  const attempts: string[] = [];
  for (const pack of ['fx', 'cal']) {
    const { rows } = await c.query<{ run_id: string | null }>(`CALL mv_ops.run_due($1)`, [pack]);
    if (rows[0].run_id !== null) {
      attempts.push(...(await logOf(c, Number(rows[0].run_id))).map((l) => `${l.view_name}:${l.trigger}`));
    }
  }
  return attempts;
}

describe('scheduled runs refresh only what is due', () => {
  test('with no source change a scheduled run refreshes nothing', async () => {
    expect(await runDueAt(16)).toEqual([]);
    expect(await runDueAt(31)).toEqual([]);
  });

  test('an insert into a base table makes exactly the views built on it due (and their dependents cascade)', async () => {
    await c.query(`INSERT INTO fx.other VALUES (3)`);
    expect(await runDueAt(46)).toEqual(['fx.other_mv:schedule']);
    await c.query(`INSERT INTO fx.sale (day, amount) VALUES ('2025-01-11', 1)`);
    expect(await runDueAt(61)).toEqual(['fx.daily:schedule', 'fx.weekly:cascade', 'fx.total:cascade']);
    expect(await runDueAt(76)).toEqual([]);
  });

  test('a change waits for the next tick of the view schedule', async () => {
    await setClock(77);
    await c.query(`INSERT INTO fx.other VALUES (4)`);
    expect(await runDueAt(79)).toEqual([]); // no quarter-hour passed since the last check
    expect(await runDueAt(91)).toEqual(['fx.other_mv:schedule']);
  });

  test('a date-relative view is due after the day boundary, and only then', async () => {
    expect(await runDueAt(700)).toEqual([]); // 23:40, same day
    expect(await runDueAt(735)).toEqual(['fx.since:schedule']); // 00:15, next day
    expect(await runDueAt(750)).toEqual([]);
  });

  test('a full-refresh schedule refreshes the view whatever changed', async () => {
    await c.query(`UPDATE mv_ops.managed_view SET full_refresh_schedule = '0 * * * *' WHERE view_name = 'other_mv'`);
    expect(await runDueAt(811)).toEqual(['fx.other_mv:schedule']); // 01:31: the 01:00 full refresh fired
  });

  test('a base table dropped and created again is tracked again at the next tick, which refreshes its views once', async () => {
    await c.query(`
      UPDATE mv_ops.managed_view SET full_refresh_schedule = NULL WHERE view_name = 'other_mv';
      DROP TABLE fx.cal CASCADE;
      CREATE TABLE fx.cal (d date PRIMARY KEY);
      INSERT INTO fx.cal VALUES ('2025-02-01');
      CREATE MATERIALIZED VIEW fx.since AS SELECT d, current_date - d AS days_ago FROM fx.cal;
      CREATE UNIQUE INDEX ON fx.since (d);`);
    const tracked = `SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = 'fx.cal'::regclass AND tgname = 'mv_ops_track_changes'`;
    expect((await c.query(tracked)).rows[0].n).toBe(0);
    // What happened while it was untracked is unknown, so the tick that heals it refreshes the view once.
    expect(await runDueAt(826)).toEqual(['fx.since:schedule']);
    expect((await c.query(tracked)).rows[0].n).toBe(1);
    expect(await runDueAt(841)).toEqual([]);
    await c.query(`INSERT INTO fx.cal VALUES ('2025-02-02')`);
    expect(await runDueAt(856)).toEqual(['fx.since:schedule']);
  });
});

describe('the time zone a view is computed in', () => {
  test('a date-relative view sees CURRENT_DATE in its registered time zone, whatever the refreshing session uses', async () => {
    await c.query(`
      CREATE MATERIALIZED VIEW fx.today_far_east AS SELECT 1 AS k, current_date AS today WITH NO DATA;
      CREATE UNIQUE INDEX ON fx.today_far_east (k);
      SELECT mv_ops.register_view('fx.today_far_east', 'tz', 'today on Kiritimati', '*/15 * * * *', '30 minutes',
                                  '2 hours', date_relative => true, time_zone => 'Pacific/Kiritimati');`);
    // UTC-11 against UTC+14: the two dates always differ.
    await c.query(`SET TimeZone = 'Pacific/Pago_Pago'`);
    try {
      const kiritimatiDate = `(now() AT TIME ZONE 'Pacific/Kiritimati')::date::text`;
      const before = (await c.query(`SELECT ${kiritimatiDate} AS d`)).rows[0].d;
      await callRefresh(c, `views => ARRAY['fx.today_far_east']`);
      const after = (await c.query(`SELECT ${kiritimatiDate} AS d`)).rows[0].d;
      const { rows } = await c.query(
        `SELECT today::text AS today, current_date::text AS session_date FROM fx.today_far_east`
      );
      expect([before, after]).toContain(rows[0].today);
      expect(rows[0].today).not.toBe(rows[0].session_date);
    } finally {
      await c.query(`RESET TimeZone`);
    }
  });
});

describe('a key-tracked table: its key journal is its change journal', () => {
  const triggersOn = async (table: string): Promise<string[]> =>
    (
      await c.query<{ tgname: string }>(
        `SELECT tgname FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal AND tgname LIKE 'mv\\_ops\\_%' ORDER BY 1`,
        [table]
      )
    ).rows.map((r) => r.tgname);
  const journals = async (): Promise<{ changes: number; keys: number }> =>
    (
      await c.query(`SELECT (SELECT count(*)::int FROM mv_ops.source_change WHERE source_oid = 'fx.sale'::regclass) AS changes,
                            (SELECT count(*)::int FROM mv_ops.changed_key WHERE source = 'fx.sale') AS keys`)
    ).rows[0];

  test('track_keys drops the generic trigger and the tick drops one put back: one trigger and one journal row per write', async () => {
    await c.query(`SELECT mv_ops.track_keys('fx.sale', 'day'); SELECT mv_ops.prune_source_changes()`);
    expect(await triggersOn('fx.sale')).not.toContain('mv_ops_track_changes');
    // A generic trigger left over (put back by hand, or by an older version) goes at the next tick.
    await c.query(`CREATE TRIGGER mv_ops_track_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON fx.sale
                   FOR EACH STATEMENT EXECUTE FUNCTION mv_ops.note_source_change()`);
    expect(await runDueAt(871)).toEqual([]);
    expect(await triggersOn('fx.sale')).toEqual([
      'mv_ops_track_keys_delete',
      'mv_ops_track_keys_insert',
      'mv_ops_track_keys_truncate',
      'mv_ops_track_keys_update',
    ]);
    const before = await journals();
    await c.query(`INSERT INTO fx.sale (day, amount) VALUES ('2025-01-12', 1), ('2025-01-12', 2)`);
    expect(await journals()).toEqual({ changes: before.changes, keys: before.keys + 1 });
  });

  test('a write to it makes its views due with their lag, and the nightly prune keeps the rows until they refreshed', async () => {
    await setClock(880);
    await c.query(`INSERT INTO fx.sale (day, amount) VALUES ('2025-01-13', 1)`);
    await setClock(885);
    const state = await c.query(
      `SELECT m.view_name, s.sources_changed, s.lag FROM mv_ops.view_state_at(mv_ops.now()) s
       JOIN mv_ops.managed_view m USING (view_id) WHERE m.view_name = 'daily'`
    );
    expect(state.rows[0].sources_changed).toBe(true);
    // The first unrefreshed write (871–880 min) is at least 5 minutes old.
    expect(state.rows[0].lag.minutes).toBeGreaterThanOrEqual(5);
    await c.query(`SELECT mv_ops.prune_source_changes()`);
    expect((await journals()).keys).toBe(2);
    expect(await runDueAt(886)).toEqual(['fx.daily:schedule', 'fx.weekly:cascade', 'fx.total:cascade']);
    await c.query(`SELECT mv_ops.prune_source_changes()`);
    expect((await journals()).keys).toBe(0);
    expect(await runDueAt(901)).toEqual([]);
  });

  test('with a key trigger dropped the table is untracked for keys: the tick puts the generic trigger back and refreshes once', async () => {
    await c.query(`DROP TRIGGER mv_ops_track_keys_insert ON fx.sale`);
    expect(await runDueAt(916)).toEqual(['fx.daily:schedule', 'fx.weekly:cascade', 'fx.total:cascade']);
    expect(await triggersOn('fx.sale')).toContain('mv_ops_track_changes');
    await c.query(`INSERT INTO fx.sale (day, amount) VALUES ('2025-01-14', 1)`);
    expect(await runDueAt(931)).toEqual(['fx.daily:schedule', 'fx.weekly:cascade', 'fx.total:cascade']);
  });

  test('a key-tracked table renamed: its journal rows carry the new name, so the views reading it are still due', async () => {
    await c.query(`SELECT mv_ops.track_keys('fx.sale', 'day')`);
    expect(await runDueAt(946)).toEqual([]);
    await c.query(`ALTER TABLE fx.sale RENAME TO sale_renamed`);
    try {
      await c.query(`INSERT INTO fx.sale_renamed (day, amount) VALUES ('2025-01-15', 1)`);
      expect(
        (await c.query(`SELECT DISTINCT source FROM mv_ops.changed_key WHERE source LIKE 'fx.sale%'`)).rows
      ).toEqual([{ source: 'fx.sale_renamed' }]);
      expect(await runDueAt(961)).toEqual(['fx.daily:schedule', 'fx.weekly:cascade', 'fx.total:cascade']);
    } finally {
      await c.query(`ALTER TABLE fx.sale_renamed RENAME TO sale`);
    }
  });
});
