// A table key-tracked with a current day (mv_ops.track_keys' third argument, 0114): inserts dated the current day
// are not journaled; every incremental refresh and the scheduler find them in the table instead. Proved against a
// routine that recomputes only the keys it is handed, so a key the engine failed to hand leaves a wrong row.
import type { Client } from 'pg';
import { viewState } from '../fixtures/viewState';
import { errorOf, openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

const TZ = 'Asia/Bangkok';
/** The current day in the table's time zone, by the clock the row trigger reads. */
const TODAY = `(pg_catalog.clock_timestamp() AT TIME ZONE '${TZ}')::date`;

beforeAll(async () => {
  db = await openTestDatabase('current_day');
  c = await db.session();
  await c.query(`
    CREATE SCHEMA cd;
    CREATE TABLE cd.sale (id serial PRIMARY KEY, day date NOT NULL, v int NOT NULL);
    CREATE INDEX ON cd.sale (day);
    CREATE TABLE cd.daily (day date PRIMARY KEY, v bigint NOT NULL);
    CREATE TABLE cd.handed (n serial PRIMARY KEY, keys date[]);
    CREATE FUNCTION cd.fill_daily() RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      keys date[] := mv_ops.refresh_keys('cd.sale');
    BEGIN
      INSERT INTO cd.handed (keys) VALUES (keys);
      DELETE FROM cd.daily WHERE keys IS NULL OR day = ANY (keys);
      INSERT INTO cd.daily SELECT day, sum(v) FROM cd.sale WHERE keys IS NULL OR day = ANY (keys) GROUP BY day;
    END $$;
    SELECT mv_ops.register_aggregate('cd.daily', 'cd', 'daily totals', '*/15 * * * *', '1 hour', '2 hours',
                                     'cd.fill_daily()', ARRAY['cd.sale'::regclass]);
    SELECT mv_ops.track_keys('cd.sale', 'day', '${TZ}');
    SELECT mv_ops.make_keyed('cd.daily');
    INSERT INTO cd.sale (day, v) VALUES (${TODAY} - 3, 1), (${TODAY} - 1, 2), (${TODAY}, 4);`);
  await refresh('manual');
});
afterAll(() => db.close());

async function refresh(trigger: 'manual' | 'schedule'): Promise<void> {
  await c.query(`CALL mv_ops.refresh(views => ARRAY['cd.daily'], trigger => '${trigger}')`);
}

/** The last attempt's kind and the keys its routine was handed (null: a full refresh). */
async function lastRefresh(): Promise<{ type: string; status: string; keys: string[] | null }> {
  const log =
    await c.query(`SELECT refresh_type AS type, status FROM mv_ops.refresh_log l JOIN mv_ops.managed_view m USING (view_id)
                             WHERE m.schema_name = 'cd' ORDER BY l.log_id DESC LIMIT 1`);
  const handed = await c.query(`SELECT keys::text[] AS keys FROM cd.handed ORDER BY n DESC LIMIT 1`);
  return { ...log.rows[0], keys: handed.rows[0].keys };
}

const state = () => viewState(c, 'cd.daily');

const journal = async () =>
  (
    await c.query(
      `SELECT key::text, count(*)::int AS n FROM mv_ops.changed_key WHERE source = 'cd.sale' GROUP BY 1 ORDER BY 1`
    )
  ).rows;

/** The aggregate equals a recompute of every day from the table. */
async function expectExact(): Promise<void> {
  const { rows } = await c.query(`SELECT (SELECT array_agg(d::text ORDER BY d) FROM cd.daily d) AS stored,
                                         (SELECT array_agg(r::text ORDER BY r) FROM (SELECT day, sum(v)::bigint AS v FROM cd.sale GROUP BY day) r) AS computed`);
  expect(rows[0].stored).toEqual(rows[0].computed);
}

const day = async (back: number) => (await c.query(`SELECT (${TODAY} - ${back})::text AS d`)).rows[0].d as string;

describe('a key-tracked table with a current day', () => {
  test('inserts go through a row trigger that lets only rows dated another day through', async () => {
    const { rows } = await c.query(`SELECT pg_get_triggerdef(oid) AS def FROM pg_trigger
                                    WHERE tgrelid = 'cd.sale'::regclass AND tgname = 'mv_ops_track_keys_insert'`);
    expect(rows[0].def).toContain('FOR EACH ROW WHEN ((new.day IS DISTINCT FROM');
    expect(rows[0].def).toContain(`'${TZ}'`);
  });

  test('an insert dated the current day writes no journal row, yet the aggregate is due and the scheduled refresh takes that day only', async () => {
    expect(await state()).toMatchObject({ sources_changed: false });
    await c.query(`INSERT INTO cd.sale (day, v) VALUES (${TODAY}, 10), (${TODAY}, 20)`);
    expect(await journal()).toEqual([]);
    expect(await state()).toMatchObject({ sources_changed: true });
    await refresh('schedule');
    expect(await lastRefresh()).toEqual({ type: 'incremental', status: 'succeeded', keys: [await day(0)] });
    await expectExact();
    expect(await state()).toMatchObject({ sources_changed: false });
  });

  test('rows dated another day are journaled once per transaction and date, and handed over with the current day', async () => {
    await c.query(`BEGIN;
      INSERT INTO cd.sale (day, v) VALUES (${TODAY} - 1, 100), (${TODAY} - 1, 200), (${TODAY} - 5, 1), (${TODAY}, 7);
      INSERT INTO cd.sale (day, v) VALUES (${TODAY} - 1, 300);
      COMMIT`);
    expect(await journal()).toEqual([
      { key: await day(5), n: 1 },
      { key: await day(1), n: 1 },
    ]);
    await refresh('schedule');
    expect(await lastRefresh()).toEqual({
      type: 'incremental',
      status: 'succeeded',
      keys: [await day(5), await day(1), await day(0)],
    });
    await expectExact();
  });

  test('a late row inserted again after its savepoint was rolled back is journaled again (the savepoint took its journal row)', async () => {
    await c.query(`BEGIN;
      SAVEPOINT a;
      INSERT INTO cd.sale (day, v) VALUES (${TODAY} - 4, 40);
      ROLLBACK TO SAVEPOINT a;
      INSERT INTO cd.sale (day, v) VALUES (${TODAY} - 4, 41), (${TODAY} - 4, 42);
      COMMIT`);
    expect(await journal()).toEqual([{ key: await day(4), n: 1 }]);
    await refresh('schedule');
    expect(await lastRefresh()).toMatchObject({ type: 'incremental', keys: [await day(4)] });
    await expectExact();
  });

  test('updates and deletes of current-day rows are still journaled by their statement triggers', async () => {
    await c.query(`UPDATE cd.sale SET v = v + 1 WHERE day = ${TODAY} AND v = 10`);
    await c.query(`DELETE FROM cd.sale WHERE day = ${TODAY} AND v = 20`);
    expect(await journal()).toEqual([{ key: await day(0), n: 2 }]);
    await refresh('schedule');
    expect(await lastRefresh()).toMatchObject({ type: 'incremental', keys: [await day(0)] });
    await expectExact();
  });

  test('a writer that inserts current-day rows in a savepoint and commits after a refresh took its snapshot is taken by the next refresh', async () => {
    const writer = await db.session();
    await writer.query(`BEGIN; SAVEPOINT s; INSERT INTO cd.sale (day, v) VALUES (${TODAY}, 1000); RELEASE SAVEPOINT s`);
    await c.query(`INSERT INTO cd.sale (day, v) VALUES (${TODAY} - 2, 5)`);
    await refresh('schedule');
    await writer.query('COMMIT');
    expect(await state()).toMatchObject({ sources_changed: true });
    await refresh('schedule');
    expect(await lastRefresh()).toMatchObject({ type: 'incremental', status: 'succeeded' });
    expect((await lastRefresh()).keys).toContain(await day(0));
    await expectExact();
  });

  test("an unseen current-day row's lag counts from the last refresh's start", async () => {
    await refresh('schedule');
    await c.query(`INSERT INTO cd.sale (day, v) VALUES (${TODAY}, 3)`);
    await c.query(`SET mv_ops.clock_offset = '20 minutes'`);
    try {
      const s = await state();
      expect({ late: s.lag_seconds >= 20 * 60, bounded: s.lag_seconds < 25 * 60, due_reason: s.due_reason }).toEqual({
        late: true,
        bounded: true,
        due_reason: 'sources changed',
      });
    } finally {
      await c.query(`RESET mv_ops.clock_offset`);
    }
    await refresh('schedule');
    await expectExact();
  });

  test('without a clock mark as old as the writers the previous refresh did not see, the refresh is full; marks bring incremental back', async () => {
    await c.query(`DELETE FROM mv_ops.xid_clock`);
    await c.query(`INSERT INTO cd.sale (day, v) VALUES (${TODAY}, 9)`);
    expect(await state()).toMatchObject({ sources_changed: true });
    await refresh('schedule');
    expect(await lastRefresh()).toMatchObject({ type: 'full', keys: null });
    await expectExact();
    await c.query(`INSERT INTO cd.sale (day, v) VALUES (${TODAY}, 11)`);
    await refresh('schedule');
    expect(await lastRefresh()).toMatchObject({ type: 'incremental', keys: [await day(0)] });
    await expectExact();
  });

  test('a transaction that already has an id does not mark the clock (its id may predate the reading)', async () => {
    const count = async () => (await c.query(`SELECT count(*)::int AS n FROM mv_ops.xid_clock`)).rows[0].n as number;
    const before = await count();
    await c.query(`BEGIN; SELECT pg_current_xact_id(); SELECT mv_ops.mark_xid_clock(); COMMIT`);
    expect(await count()).toBe(before);
    await c.query(`SELECT mv_ops.mark_xid_clock()`);
    expect(await count()).toBe(before + 1);
  });

  test('the nightly prune thins clock marks older than a day to the first of each hour, older than a month to the first of each day', async () => {
    // Ids far below any real one, so the marks stay below every snapshot the other tests take.
    await c.query(`INSERT INTO mv_ops.xid_clock (next_xid, seen_at) VALUES
      ('10'::xid8, date_trunc('hour', now()) - interval '3 days'),
      ('11'::xid8, date_trunc('hour', now()) - interval '3 days' + interval '10 minutes'),
      ('12'::xid8, date_trunc('hour', now()) - interval '3 days' + interval '70 minutes'),
      ('20'::xid8, date_trunc('day', now()) - interval '40 days' + interval '1 hour'),
      ('21'::xid8, date_trunc('day', now()) - interval '40 days' + interval '5 hours')`);
    await c.query(`SELECT mv_ops.prune_source_changes()`);
    const { rows } = await c.query(
      `SELECT next_xid::text AS x FROM mv_ops.xid_clock WHERE next_xid < '100'::xid8 ORDER BY 1`
    );
    expect(rows.map((r) => r.x)).toEqual(['10', '12', '20']);
  });

  test('tracked again without a time zone, the unrefreshed current-day rows make the next refresh full, and later inserts of the current day are journaled', async () => {
    await refresh('schedule');
    await c.query(`INSERT INTO cd.sale (day, v) VALUES (${TODAY}, 12)`);
    await c.query(`SELECT mv_ops.track_keys('cd.sale', 'day')`);
    // Nothing would look for that row in the table any more: every key changed.
    expect(await journal()).toEqual([{ key: '-infinity', n: 1 }]);
    await refresh('schedule');
    expect(await lastRefresh()).toMatchObject({ type: 'full', keys: null });
    await expectExact();
    await c.query(`INSERT INTO cd.sale (day, v) VALUES (${TODAY}, 13)`);
    expect(await journal()).toEqual([{ key: await day(0), n: 1 }]);
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.current_day_source`)).rows[0].n).toBe(
      (await c.query(`SELECT count(*)::int AS n FROM mv_ops.current_day_source WHERE tbl <> 'cd.sale'::regclass`))
        .rows[0].n
    );
    await refresh('schedule');
    await expectExact();
    await c.query(`SELECT mv_ops.track_keys('cd.sale', 'day', '${TZ}')`);
  });

  test("another time zone for the current day makes the next refresh full (rows dated the old zone's day are in no journal)", async () => {
    await refresh('schedule');
    await c.query(`INSERT INTO cd.sale (day, v) VALUES (${TODAY}, 14)`);
    await c.query(`SELECT mv_ops.track_keys('cd.sale', 'day', 'UTC')`);
    expect(await journal()).toEqual([{ key: '-infinity', n: 1 }]);
    await refresh('schedule');
    expect(await lastRefresh()).toMatchObject({ type: 'full' });
    await expectExact();
    await c.query(`SELECT mv_ops.track_keys('cd.sale', 'day', '${TZ}')`);
    await refresh('schedule');
  });

  test('freshness does not wait behind a lock on the table: it cannot tell, so the aggregate counts as changed', async () => {
    await refresh('schedule');
    expect(await state()).toMatchObject({ sources_changed: false });
    const holder = await db.session();
    await holder.query(`BEGIN; LOCK TABLE cd.sale IN ACCESS EXCLUSIVE MODE`);
    try {
      await c.query(`SET statement_timeout = '20s'`);
      expect(await state()).toMatchObject({ sources_changed: true });
    } finally {
      await c.query(`RESET statement_timeout`);
      await holder.query('ROLLBACK');
    }
    expect(await state()).toMatchObject({ sources_changed: false });
  });

  test('track_keys refuses an unknown time zone, and a current day without a key column', async () => {
    expect(await errorOf(c.query(`SELECT mv_ops.track_keys('cd.sale', 'day', 'Mars/Olympus')`))).toMatchObject({
      code: '22023',
      message: 'unknown time zone "Mars/Olympus"',
    });
    expect(await errorOf(c.query(`SELECT mv_ops.track_keys('cd.sale', NULL, 'UTC')`))).toMatchObject({
      code: '22023',
      message: 'a current day needs a key column: cd.sale is tracked without one',
    });
  });
});
