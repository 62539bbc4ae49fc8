// The availability aggregate (funeral_mv.realtime_availability) is an mv_ops aggregate: registered, scheduled by
// mv_ops.run_due every 15 minutes when due, refreshed by name like any view, logged once, judged for freshness.
import type { Client } from 'pg';
import { installFanout } from '../fixtures/funeralFanout';
import { openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

const AGGREGATE = 'funeral_mv.realtime_availability';

// Slots for every active location x service of organisations 1 and 2, 20 days from yesterday, 8 a day.
const MORE_SLOTS = `
INSERT INTO funeral.availabilities (organization_id, location_id, service_id, date, start_time, end_time, is_available)
SELECT l.organization_id, l.id, s.id, CURRENT_DATE + d, make_time(8 + h, 0, 0), make_time(9 + h, 0, 0),
       hashtext(l.id || ':' || s.id || ':' || d || ':' || h) % 3 <> 0
FROM funeral.locations l JOIN funeral.services s USING (organization_id)
CROSS JOIN generate_series(-1, 18) d CROSS JOIN generate_series(0, 7) h
WHERE l.organization_id IN (1, 2) AND l.is_active`;

// Flips, deletions, slots moved to another day, insertions: deterministic per round.
const changes = (round: number): string[] => [
  `UPDATE funeral.availabilities SET is_available = NOT is_available WHERE abs(hashtext('flip${round}:' || id)) % 7 = 0`,
  `DELETE FROM funeral.availabilities WHERE abs(hashtext('del${round}:' || id)) % 19 = 0`,
  `UPDATE funeral.availabilities SET date = date + 1 + abs(hashtext('mv${round}:' || id)) % 4 WHERE abs(hashtext('move${round}:' || id)) % 31 = 0`,
  `INSERT INTO funeral.availabilities (organization_id, location_id, service_id, date, start_time, end_time, is_available)
   SELECT organization_id, location_id, service_id, date + 3, '18:00', '19:00', true
   FROM funeral.availabilities WHERE abs(hashtext('ins${round}:' || id)) % 29 = 0`,
];

/** Rows of the aggregate that differ from a full recompute of today's window (both ways): 0 when equal. */
const differences = async (): Promise<number> =>
  Number(
    (
      await c.query(
        `WITH full_recompute AS (
           SELECT * FROM funeral_mv.realtime_availability_of(ARRAY(SELECT d::date FROM generate_series(CURRENT_DATE, CURRENT_DATE + 14, interval '1 day') d))),
         t AS (SELECT * FROM funeral_mv.realtime_availability)
         SELECT (SELECT count(*) FROM (SELECT * FROM t EXCEPT ALL SELECT * FROM full_recompute) a)
              + (SELECT count(*) FROM (SELECT * FROM full_recompute EXCEPT ALL SELECT * FROM t) b) AS n`
      )
    ).rows[0].n
  );

/**
 * Sets the engine clock to `minutes` after 12:00 UTC tomorrow: the tests move it up to 76 minutes on, which
 * from the real time of day could cross midnight and make the date-relative aggregate due for that reason.
 */
async function setClock(minutes: number): Promise<void> {
  await c.query(
    `SELECT set_config('mv_ops.clock_offset',
       ((date_trunc('day', now() AT TIME ZONE 'UTC') + interval '36 hours' + make_interval(mins => $1)) AT TIME ZONE 'UTC' - now())::text, false)`,
    [minutes]
  );
}

/** Runs what is due in the funeral pack with the engine clock `minutes` after the base moment; the aggregate's attempt, if any. */
async function runDueIn(minutes: number): Promise<{ log_id: string; trigger: string; status: string } | undefined> {
  await setClock(minutes);
  const { rows } = await c.query<{ run_id: string | null }>(`CALL mv_ops.run_due('funeral')`);
  if (rows[0].run_id === null) {
    return undefined;
  }
  const log = await c.query(
    `SELECT log_id::text, trigger, status FROM mv_ops.refresh_log WHERE run_id = $1 AND view_name = $2`,
    [rows[0].run_id, AGGREGATE]
  );
  return log.rows[0];
}

const kindOfRecompute = async (mvOpsLogId: string): Promise<string[]> =>
  (
    await c.query(`SELECT refresh_type FROM funeral_mv.aggregate_refresh_log WHERE mv_ops_log_id = $1`, [mvOpsLogId])
  ).rows.map((r) => r.refresh_type);

beforeAll(async () => {
  db = await openTestDatabase('funeral_availability_mv_ops');
  c = await db.session();
  await installFanout(c);
  await c.query(MORE_SLOTS);
  // Whatever is due now (the slots just added) is refreshed, so the tests start from an up-to-date pack.
  await setClock(0);
  await c.query(`CALL mv_ops.refresh(pack => 'funeral')`);
});
afterAll(() => db.close());

describe('the availability aggregate in mv_ops', () => {
  test('is registered as an aggregate of the funeral pack: its routine, its declared source, every 15 minutes, date-relative', async () => {
    const { rows } = await c.query(
      `SELECT kind, refresh_routine::text AS routine, declared_sources::text[] AS sources, schedule, full_refresh_schedule,
              date_relative, warn_after::text, error_after::text
       FROM mv_ops.managed_view WHERE mv_ops.qualified_name(managed_view) = $1 AND pack = 'funeral'`,
      [AGGREGATE]
    );
    expect(rows).toEqual([
      {
        kind: 'aggregate',
        routine: 'funeral_mv.refresh_realtime_availability_managed()',
        sources: ['funeral.availabilities'],
        schedule: '*/15 * * * *',
        full_refresh_schedule: '0 3 * * 0',
        date_relative: true,
        warn_after: '00:20:00',
        error_after: '01:00:00',
      },
    ]);
  });

  test('appears in mv_ops.freshness, mv_ops.freshness_alert and the funeral alert view, fresh after a refresh', async () => {
    const f = await c.query(
      `SELECT pack, state, schedule, date_relative, row_estimate > 0 AS has_rows FROM mv_ops.freshness WHERE view_name = $1`,
      [AGGREGATE]
    );
    expect(f.rows).toEqual([
      { pack: 'funeral', state: 'fresh', schedule: '*/15 * * * *', date_relative: true, has_rows: true },
    ]);
    const alert = await c.query(`SELECT pack, severity FROM mv_ops.freshness_alert WHERE view = $1`, [AGGREGATE]);
    expect(alert.rows).toEqual([{ pack: 'funeral', severity: 0 }]);
    const funeralAlert = await c.query(`SELECT view FROM funeral.freshness_alert ORDER BY view`);
    expect(funeralAlert.rows.map((r) => r.view)).toContain(AGGREGATE);
    expect(funeralAlert.rows).toHaveLength(7);
    const compat = await c.query(`SELECT view, pack, state FROM funeral.realtime_availability_freshness`);
    expect(compat.rows).toEqual([{ view: AGGREGATE, pack: 'funeral', state: 'fresh' }]);
  });

  test.each([1, 2, 3])(
    'run_due(funeral) refreshes it after availability changes, incrementally, and it equals a full recompute (round %i)',
    async (round) => {
      for (const sql of changes(round)) {
        await c.query(sql);
      }
      expect(await differences()).toBeGreaterThan(0); // the changes are not in the table yet
      const attempt = await runDueIn(15 * round + 1);
      expect(attempt).toMatchObject({ trigger: 'schedule', status: 'succeeded' });
      expect(await kindOfRecompute(attempt!.log_id)).toEqual(['incremental']);
      expect(await differences()).toBe(0);
    }
  );

  test('without availability changes a scheduled run does not refresh it', async () => {
    expect(await runDueIn(61)).toBeUndefined();
    // A change to a table it does not read changes nothing either.
    await c.query(`UPDATE funeral.organizations SET rating = 4.7 WHERE id = 1`);
    expect(await runDueIn(76)).toBeUndefined();
  });

  test('refreshed by its seed name through mv_ops: a full recompute, one run, logged once in the seed log', async () => {
    await c.query(`RESET mv_ops.clock_offset`);
    await c.query(`SET ROLE mv_ops_operator`);
    let runId: string;
    try {
      runId = (await c.query(`CALL funeral.refresh_materialized_view('mv_realtime_availability')`)).rows[0].run_id;
    } finally {
      await c.query(`RESET ROLE`);
    }
    expect(runId).not.toBeNull();
    const log = await c.query(
      `SELECT log_id::text, view_name, trigger, status, rows_after::int FROM mv_ops.refresh_log WHERE run_id = $1`,
      [runId]
    );
    expect(log.rows).toHaveLength(1);
    expect(log.rows[0]).toMatchObject({ view_name: AGGREGATE, trigger: 'manual', status: 'succeeded' });
    const count = (await c.query(`SELECT count(*)::int AS n FROM funeral_mv.realtime_availability`)).rows[0].n;
    expect(log.rows[0].rows_after).toBe(count);
    expect(await kindOfRecompute(log.rows[0].log_id)).toEqual(['full']);
    // Once: mv_ops's attempt, with the recompute's kind; the aggregate's own log row for it is not shown again.
    const seedLog = await c.query(
      `SELECT id, refresh_type, status FROM funeral.materialized_view_refresh_logs
       WHERE id = 'mv_ops:' || $1::bigint OR id IN (SELECT 'aggregate:' || a.log_id FROM funeral_mv.aggregate_refresh_log a
                                            WHERE a.mv_ops_log_id = $1)`,
      [log.rows[0].log_id]
    );
    expect(seedLog.rows).toEqual([{ id: `mv_ops:${log.rows[0].log_id}`, refresh_type: 'full', status: 'completed' }]);
    expect(await differences()).toBe(0);
  });

  test('a direct call of the seed function still works and is shown in the seed log, outside mv_ops', async () => {
    const { rows } = await c.query(`SELECT refresh_type FROM funeral.refresh_realtime_availability_incremental()`);
    expect(rows).toEqual([{ refresh_type: 'incremental' }]);
    const seedLog = await c.query(
      `SELECT id LIKE 'aggregate:%' AS direct, refresh_type, status, requested_by FROM funeral.materialized_view_refresh_logs
       WHERE id = (SELECT 'aggregate:' || max(log_id) FROM funeral_mv.aggregate_refresh_log)`
    );
    expect(seedLog.rows).toEqual([
      { direct: true, refresh_type: 'incremental', status: 'completed', requested_by: 'scheduler' },
    ]);
  });
});
