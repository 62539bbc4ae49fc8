// The table-backed availability aggregate: incremental refreshes (today, tomorrow, changed days, days entering
// the window) must leave exactly what a full recompute would, and must not touch the other days.
import type { Client } from 'pg';
import { installFanout } from '../fixtures/funeralFanout';
import { expectSameRows } from '../harness/compare';
import { openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

// Slots for every active location x service of organisations 1 and 2, 20 days from yesterday, 8 a day.
const MORE_SLOTS = `
INSERT INTO funeral.availabilities (organization_id, location_id, service_id, date, start_time, end_time, is_available)
SELECT l.organization_id, l.id, s.id, CURRENT_DATE + d, make_time(8 + h, 0, 0), make_time(9 + h, 0, 0),
       hashtext(l.id || ':' || s.id || ':' || d || ':' || h) % 3 <> 0
FROM funeral.locations l JOIN funeral.services s USING (organization_id)
CROSS JOIN generate_series(-1, 18) d CROSS JOIN generate_series(0, 7) h
WHERE l.organization_id IN (1, 2) AND l.is_active`;

// A round of pseudo-random changes (deterministic per round): flips, deletions, insertions, slots moved to another day.
const changes = (round: number): string[] => [
  `UPDATE funeral.availabilities SET is_available = NOT is_available WHERE abs(hashtext('flip${round}:' || id)) % 9 = 0`,
  `DELETE FROM funeral.availabilities WHERE abs(hashtext('del${round}:' || id)) % 23 = 0`,
  `UPDATE funeral.availabilities SET date = date + 1 + abs(hashtext('mv${round}:' || id)) % 4 WHERE abs(hashtext('move${round}:' || id)) % 31 = 0`,
  `INSERT INTO funeral.availabilities (organization_id, location_id, service_id, date, start_time, end_time, is_available)
   SELECT organization_id, location_id, service_id, date + 2, '18:00', '19:00', true
   FROM funeral.availabilities WHERE abs(hashtext('ins${round}:' || id)) % 29 = 0`,
];

const differences = async (asOf: string): Promise<number> =>
  (
    await c.query(
      `WITH full_recompute AS (
         SELECT * FROM funeral_mv.realtime_availability_of(ARRAY(SELECT d::date FROM generate_series(${asOf}, ${asOf} + 14, interval '1 day') d))),
       t AS (SELECT * FROM funeral_mv.realtime_availability)
       SELECT (SELECT count(*) FROM (SELECT * FROM t EXCEPT ALL SELECT * FROM full_recompute) a)
            + (SELECT count(*) FROM (SELECT * FROM full_recompute EXCEPT ALL SELECT * FROM t) b) AS n`
    )
  ).rows[0].n;

const refresh = async (
  full: boolean,
  asOf = 'CURRENT_DATE'
): Promise<{ refresh_type: string; days_recomputed: number }> =>
  (
    await c.query(
      `SELECT refresh_type, days_recomputed FROM funeral.refresh_realtime_availability(${full}, ${asOf}, 'test')`
    )
  ).rows[0];

beforeAll(async () => {
  db = await openTestDatabase('funeral_availability');
  c = await db.session();
  await installFanout(c);
  await c.query(MORE_SLOTS);
  await refresh(true);
});
afterAll(() => db.close());

/**
 * The 15-day window recomputed per entity and day, written apart from the pack's routine: every
 * (organisation, location, service, day) that has slots, and what its slots say.
 */
const INDEPENDENT_REFERENCE = `
  SELECT e.organization_id, e.location_id, e.service_id, e.date,
         (SELECT count(*) FROM funeral.availabilities a WHERE (a.organization_id, a.location_id, a.service_id, a.date) = (e.organization_id, e.location_id, e.service_id, e.date) AND a.is_available),
         (SELECT min(a.start_time) FROM funeral.availabilities a WHERE (a.organization_id, a.location_id, a.service_id, a.date) = (e.organization_id, e.location_id, e.service_id, e.date) AND a.is_available),
         (SELECT max(a.end_time) FROM funeral.availabilities a WHERE (a.organization_id, a.location_id, a.service_id, a.date) = (e.organization_id, e.location_id, e.service_id, e.date) AND a.is_available),
         (SELECT count(*) FROM funeral.availabilities a WHERE (a.organization_id, a.location_id, a.service_id, a.date) = (e.organization_id, e.location_id, e.service_id, e.date) AND NOT a.is_available),
         (SELECT count(*) FROM funeral.availabilities a WHERE (a.organization_id, a.location_id, a.service_id, a.date) = (e.organization_id, e.location_id, e.service_id, e.date))
  FROM (SELECT DISTINCT organization_id, location_id, service_id, date FROM funeral.availabilities
        WHERE date >= CURRENT_DATE AND date <= CURRENT_DATE + 14) e`;

describe('incremental refresh of the availability aggregate (defect 004-2)', () => {
  test('after the full refresh (beforeAll) the table equals a reference computed per entity and day from the slots', async () => {
    const n = await expectSameRows(c, `SELECT * FROM funeral_mv.realtime_availability`, INDEPENDENT_REFERENCE);
    expect(n).toBeGreaterThan(0);
  });

  test.each([1, 2, 3, 4, 5])('equals a full recompute after random changes (round %i)', async (round) => {
    for (const sql of changes(round)) {
      await c.query(sql);
    }
    const result = await refresh(false);
    expect(result.refresh_type).toBe('incremental');
    expect(Number(await differences('CURRENT_DATE'))).toBe(0);
    await expectSameRows(c, `SELECT * FROM funeral_mv.realtime_availability`, INDEPENDENT_REFERENCE);
  });

  test('recomputes only today and tomorrow when nothing changed, leaving other days untouched', async () => {
    const before = await c.query(
      `SELECT xmin::text AS x FROM funeral_mv.realtime_availability WHERE date = CURRENT_DATE + 10`
    );
    expect(before.rowCount).toBeGreaterThan(0);
    expect(await refresh(false)).toEqual({ refresh_type: 'incremental', days_recomputed: 2 });
    const after = await c.query(
      `SELECT xmin::text AS x FROM funeral_mv.realtime_availability WHERE date = CURRENT_DATE + 10`
    );
    expect(after.rows).toEqual(before.rows);
  });

  test('a change on day 9 recomputes today, tomorrow and day 9 only', async () => {
    await c.query(
      `UPDATE funeral.availabilities SET is_available = false WHERE date = CURRENT_DATE + 9 AND location_id = 11`
    );
    expect(await refresh(false)).toEqual({ refresh_type: 'incremental', days_recomputed: 3 });
    expect(Number(await differences('CURRENT_DATE'))).toBe(0);
  });

  test('when the day turns, the day entering the window is computed and the one leaving it dropped', async () => {
    await c.query(`INSERT INTO funeral.availabilities (organization_id, location_id, service_id, date, start_time, end_time)
                   VALUES (1, 11, 11, CURRENT_DATE + 15, '08:00', '09:00')`);
    const result = await refresh(false, 'CURRENT_DATE + 1');
    expect(result.refresh_type).toBe('incremental');
    expect(Number(await differences('CURRENT_DATE + 1'))).toBe(0);
    const { rows } = await c.query(
      `SELECT min(date) = CURRENT_DATE + 1 AS starts_tomorrow FROM funeral_mv.realtime_availability`
    );
    expect(rows[0].starts_tomorrow).toBe(true);
  });

  test('two transactions changing slots of the same day do not wait for each other', async () => {
    const other = await db.session();
    await c.query('BEGIN');
    try {
      await c.query(
        `UPDATE funeral.availabilities SET is_available = true WHERE date = CURRENT_DATE + 4 AND location_id = 11`
      );
      // Without waiting: the other transaction journals the same day while the first is still open.
      await other.query(`SET lock_timeout = '1s'`);
      await other.query(
        `UPDATE funeral.availabilities SET is_available = true WHERE date = CURRENT_DATE + 4 AND location_id = 12`
      );
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK');
      throw err;
    }
    // The window already starts tomorrow (previous test): tomorrow, the day after, and day 4.
    expect(await refresh(false, 'CURRENT_DATE + 1')).toEqual({ refresh_type: 'incremental', days_recomputed: 3 });
    expect(Number(await differences('CURRENT_DATE + 1'))).toBe(0);
  });

  test('after TRUNCATE of the slots the next refresh is a full one', async () => {
    await c.query(`TRUNCATE funeral.availabilities`);
    expect((await refresh(false)).refresh_type).toBe('full');
    expect((await c.query(`SELECT count(*)::int AS n FROM funeral_mv.realtime_availability`)).rows[0].n).toBe(0);
  });

  test('every refresh is logged with its kind and outcome', async () => {
    const { rows } = await c.query(
      `SELECT refresh_type, count(*)::int AS n FROM funeral_mv.aggregate_refresh_log
       WHERE requested_by = 'test' AND status = 'completed' GROUP BY 1 ORDER BY 1`
    );
    expect(rows).toEqual([
      { refresh_type: 'full', n: 2 },
      { refresh_type: 'incremental', n: 9 },
    ]);
  });
});
