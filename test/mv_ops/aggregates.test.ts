// Table-backed aggregates in mv_ops: a table kept by a refresh routine, registered with declared sources, is
// refreshed, scheduled, logged and judged for freshness like a materialized view. Own fixture (schema fx2,
// packs fx2 and fx2_gone): the template database also holds the product's packs.
import type { Client } from 'pg';
import { logOf } from '../fixtures/threeTier';
import { viewState } from '../fixtures/viewState';
import { errorOf, openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

const FIXTURE = `
CREATE SCHEMA fx2;
CREATE TABLE fx2.sale (id serial PRIMARY KEY, day date NOT NULL, amount numeric NOT NULL, qty int NOT NULL DEFAULT 1);
INSERT INTO fx2.sale (day, amount) SELECT d::date, 10 FROM generate_series('2025-01-01'::date, '2025-01-10', '1 day') d;
CREATE TABLE fx2.other (x int PRIMARY KEY);
-- The aggregate: a table, kept by a routine that divides by qty (a day with qty 0 makes it fail with 22012).
CREATE TABLE fx2.daily_total (day date PRIMARY KEY, amount numeric NOT NULL, per_unit numeric NOT NULL);
-- What mv_ops told the routine, one row per call.
CREATE TABLE fx2.routine_call (n serial PRIMARY KEY, mode text, trigger text, log_id bigint);
CREATE FUNCTION fx2.refresh_daily_total() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO fx2.routine_call (mode, trigger, log_id)
  VALUES (current_setting('mv_ops.refresh_mode', true), current_setting('mv_ops.refresh_trigger', true),
          NULLIF(current_setting('mv_ops.refresh_log_id', true), '')::bigint);
  DELETE FROM fx2.daily_total;
  INSERT INTO fx2.daily_total SELECT day, sum(amount), sum(amount) / sum(qty) FROM fx2.sale GROUP BY day;
END $$;
-- A materialized view over the aggregate: a dependent the engine must order after it.
CREATE MATERIALIZED VIEW fx2.best_day AS SELECT 1 AS k, max(amount) AS amount, count(*) AS days FROM fx2.daily_total WITH NO DATA;
CREATE UNIQUE INDEX ON fx2.best_day (k);
-- Things registration must refuse.
CREATE VIEW fx2.sale_v AS SELECT * FROM fx2.sale;
CREATE MATERIALIZED VIEW fx2.unmanaged AS SELECT 1 AS k;
CREATE FUNCTION fx2.with_arg(days int) RETURNS void LANGUAGE sql AS 'SELECT';
CREATE FUNCTION fx2.a_trigger() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
CREATE TABLE fx2.parted (day date) PARTITION BY RANGE (day);
CREATE TABLE fx2.parted_2025 PARTITION OF fx2.parted FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE FUNCTION fx2.foreign_owned() RETURNS void LANGUAGE sql AS 'SELECT';
ALTER FUNCTION fx2.foreign_owned() OWNER TO mv_ops_operator;
SELECT mv_ops.register_aggregate('fx2.daily_total', 'fx2', 'daily totals kept by a routine', '*/15 * * * *',
       '30 minutes', '2 hours', 'fx2.refresh_daily_total()', ARRAY['fx2.sale'::regclass]);
SELECT mv_ops.register_view('fx2.best_day', 'fx2', 'best day', '*/15 * * * *', '30 minutes', '2 hours');
`;

beforeAll(async () => {
  db = await openTestDatabase('aggregates');
  c = await db.session();
  await c.query(FIXTURE);
  await setClock(0);
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

/** Runs what is due in a pack at `minutes` after the base moment; returns view:trigger:status of its attempts. */
async function runDueAt(minutes: number, pack = 'fx2'): Promise<string[]> {
  await setClock(minutes);
  const { rows } = await c.query<{ run_id: string | null }>(`CALL mv_ops.run_due($1)`, [pack]);
  if (rows[0].run_id === null) {
    return [];
  }
  return (await logOf(c, Number(rows[0].run_id))).map((l) => `${l.view_name}:${l.trigger}:${l.status}`);
}

const lastCall = async (): Promise<{ mode: string; trigger: string; log_id: string }> =>
  (await c.query(`SELECT mode, trigger, log_id FROM fx2.routine_call ORDER BY n DESC LIMIT 1`)).rows[0];

const stateOf = async (view: string, at = 'mv_ops.now()'): Promise<string> =>
  (await c.query(`SELECT state FROM mv_ops.freshness_at(${at}) WHERE view_name = $1`, [view])).rows[0].state;

/** The aggregate's rows minus a recompute from fx2.sale, both ways: 0 when they are equal. */
const differences = async (): Promise<number> =>
  (
    await c.query(`WITH ref AS (SELECT day, sum(amount) AS amount, sum(amount) / sum(qty) AS per_unit FROM fx2.sale GROUP BY day)
                   SELECT (SELECT count(*) FROM (SELECT * FROM fx2.daily_total EXCEPT SELECT * FROM ref) a)
                        + (SELECT count(*) FROM (SELECT * FROM ref EXCEPT SELECT * FROM fx2.daily_total) b) AS n`)
  ).rows[0].n;

describe('mv_ops.register_aggregate', () => {
  test('registers the table with its routine; declared sources are change-tracked and order it before its readers', async () => {
    const reg = await c.query(
      `SELECT kind, refresh_routine::text AS routine, declared_sources::text[] AS sources FROM mv_ops.managed_view
       WHERE schema_name = 'fx2' ORDER BY view_name`
    );
    expect(reg.rows).toEqual([
      { kind: 'materialized_view', routine: null, sources: null },
      { kind: 'aggregate', routine: 'fx2.refresh_daily_total()', sources: ['fx2.sale'] },
    ]);
    const sources = await c.query(
      `SELECT mv_ops.qualified_name(m) AS view, s.source::text, s.kind, l.level
       FROM mv_ops.view_source s JOIN mv_ops.managed_view m USING (view_id) JOIN mv_ops.view_level l USING (view_id)
       WHERE m.schema_name = 'fx2' ORDER BY l.level`
    );
    expect(sources.rows).toEqual([
      { view: 'fx2.daily_total', source: 'fx2.sale', kind: 'table', level: 0 },
      { view: 'fx2.best_day', source: 'fx2.daily_total', kind: 'managed_view', level: 1 },
    ]);
    const triggers = await c.query(
      `SELECT tgrelid::regclass::text AS rel FROM pg_trigger WHERE tgname = 'mv_ops_track_changes'
       AND tgrelid::regclass::text LIKE 'fx2.%' ORDER BY 1`
    );
    // The source is tracked; the aggregate itself is not (its changes are its refreshes).
    expect(triggers.rows).toEqual([{ rel: 'fx2.sale' }]);
  });

  const register = (target: string, routine: string, sources: string, full = 'NULL') =>
    c.query(
      `SELECT mv_ops.register_aggregate('${target}', 'fx2', 'd', '*/15 * * * *', '30 minutes', '2 hours',
                                        ${routine}, ${sources}, full_refresh_schedule => ${full})`
    );
  const ok = { routine: `'fx2.refresh_daily_total()'`, sources: `ARRAY['fx2.sale'::regclass]` };

  test.each([
    [
      'a materialized view',
      () => register('fx2.best_day', ok.routine, ok.sources),
      'fx2.best_day is not a table (relkind m): an aggregate is a table kept by a refresh routine',
      '42809',
    ],
    [
      'a plain view',
      () => register('fx2.sale_v', ok.routine, ok.sources),
      'fx2.sale_v is not a table (relkind v): an aggregate is a table kept by a refresh routine',
      '42809',
    ],
    [
      'no routine',
      () => register('fx2.daily_total', 'NULL', ok.sources),
      'aggregate fx2.daily_total needs a refresh routine',
      '22023',
    ],
    [
      'a routine with arguments',
      () => register('fx2.daily_total', `'fx2.with_arg(int)'`, ok.sources),
      'refresh routine fx2.with_arg(integer) takes arguments: mv_ops calls it with none',
      '42P13',
    ],
    [
      'an invoker routine another role owns (and could rewrite to run as the registry owner)',
      () => register('fx2.daily_total', `'fx2.foreign_owned()'`, ok.sources),
      'refresh routine fx2.foreign_owned() is owned by another role',
      '42501',
    ],
    [
      'a partition as a source (its changes are journaled under the partitioned table)',
      () => register('fx2.daily_total', ok.routine, `ARRAY['fx2.parted_2025'::regclass]`),
      'source fx2.parted_2025 of aggregate fx2.daily_total is a partition',
      '42809',
    ],
    [
      'a trigger function',
      () => register('fx2.daily_total', `'fx2.a_trigger()'`, ok.sources),
      'refresh routine fx2.a_trigger() is not a plain function or procedure',
      '42809',
    ],
    [
      'no declared sources',
      () => register('fx2.daily_total', ok.routine, `ARRAY[]::regclass[]`),
      'aggregate fx2.daily_total declares no sources',
      '22023',
    ],
    [
      'a plain view as source',
      () => register('fx2.daily_total', ok.routine, `ARRAY['fx2.sale_v'::regclass]`),
      'source fx2.sale_v of aggregate fx2.daily_total is not a table or a managed view (relkind v)',
      '42809',
    ],
    [
      'an unmanaged materialized view as source',
      () => register('fx2.daily_total', ok.routine, `ARRAY['fx2.unmanaged'::regclass]`),
      'source fx2.unmanaged of aggregate fx2.daily_total is not a table or a managed view (relkind m)',
      '42809',
    ],
    [
      'itself as source',
      () => register('fx2.daily_total', ok.routine, `ARRAY['fx2.daily_total'::regclass]`),
      'aggregate fx2.daily_total cannot declare itself as a source',
      '22023',
    ],
    [
      'a cycle (a source that reads the aggregate)',
      () => register('fx2.daily_total', ok.routine, `ARRAY['fx2.sale', 'fx2.best_day']::regclass[]`),
      'aggregate fx2.daily_total would depend on itself through fx2.best_day',
      '42P17',
    ],
    [
      'a malformed full-refresh schedule',
      () => register('fx2.daily_total', ok.routine, ok.sources, `'0 3 * *'`),
      'expected five fields',
      undefined,
    ],
  ])('refuses %s with a clear message and leaves the registry as it was', async (_what, call, message, code) => {
    const before = await c.query(`SELECT * FROM mv_ops.managed_view WHERE schema_name = 'fx2' ORDER BY view_id`);
    const err = await errorOf(call());
    expect(err.message).toContain(message);
    if (code) {
      expect(err.code).toBe(code);
    }
    const after = await c.query(`SELECT * FROM mv_ops.managed_view WHERE schema_name = 'fx2' ORDER BY view_id`);
    expect(after.rows).toEqual(before.rows);
  });

  test('the refusal of undeclared sources says why they must be declared', async () => {
    const err = await errorOf(register('fx2.daily_total', ok.routine, 'NULL'));
    expect(err.hint).toContain('the catalog cannot see inside a routine');
  });

  test('registering again is idempotent (same id)', async () => {
    const id = (await c.query(`SELECT view_id FROM mv_ops.managed_view WHERE view_name = 'daily_total'`)).rows[0]
      .view_id;
    const { rows } = await register('fx2.daily_total', ok.routine, ok.sources);
    expect(rows[0].register_aggregate).toBe(id);
  });

  test('only the owner may register an aggregate (not operators, not readers)', async () => {
    for (const role of ['mv_ops_operator', 'mv_ops_reader']) {
      await c.query('BEGIN');
      try {
        await c.query(`SET LOCAL ROLE ${role}`);
        expect((await errorOf(register('fx2.daily_total', ok.routine, ok.sources))).message).toMatch(
          /permission denied/
        );
      } finally {
        await c.query('ROLLBACK');
      }
    }
  });
});

describe('refreshing an aggregate through mv_ops', () => {
  test('a freshly registered aggregate is never_refreshed and due', async () => {
    expect(await stateOf('fx2.daily_total')).toBe('never_refreshed');
    expect(await viewState(c, 'fx2.daily_total')).toMatchObject({ due: true, due_reason: 'never refreshed' });
  });

  test('CALL mv_ops.refresh by name runs the routine (full, since a person asked), logs its rows, then refreshes the view that reads it', async () => {
    const { rows } = await c.query(`CALL mv_ops.refresh(views => ARRAY['fx2.daily_total'], requested_by => 'alice')`);
    const log = await c.query(
      `SELECT log_id::text, view_name, trigger, status, rows_after::int, refreshed_concurrently AS c, requested_by
       FROM mv_ops.refresh_log WHERE run_id = $1 ORDER BY position`,
      [rows[0].run_id]
    );
    expect(log.rows.map(({ log_id: _id, ...r }) => r)).toEqual([
      {
        view_name: 'fx2.daily_total',
        trigger: 'manual',
        status: 'succeeded',
        rows_after: 10,
        c: null,
        requested_by: 'alice',
      },
      {
        view_name: 'fx2.best_day',
        trigger: 'cascade',
        status: 'succeeded',
        rows_after: 1,
        c: false,
        requested_by: 'alice',
      },
    ]);
    expect(await lastCall()).toEqual({ mode: 'full', trigger: 'manual', log_id: log.rows[0].log_id });
    expect(Number(await differences())).toBe(0);
    expect((await c.query(`SELECT amount::int, days::int FROM fx2.best_day`)).rows).toEqual([{ amount: 10, days: 10 }]);
    expect(await stateOf('fx2.daily_total')).toBe('fresh');
    const history = await c.query(
      `SELECT view_name, pack, status FROM mv_ops.refresh_history WHERE run_id = $1 ORDER BY log_id`,
      [rows[0].run_id]
    );
    expect(history.rows[0]).toEqual({ view_name: 'fx2.daily_total', pack: 'fx2', status: 'succeeded' });
  });

  test('run_due(pack): nothing is due without changes; a source insert makes it due at the next tick (incremental), with its reader after it', async () => {
    expect(await runDueAt(16)).toEqual([]);
    await c.query(`INSERT INTO fx2.other VALUES (1)`); // not a source: changes nothing
    expect(await runDueAt(31)).toEqual([]);
    await c.query(`INSERT INTO fx2.sale (day, amount) VALUES ('2025-01-11', 30)`);
    expect(await runDueAt(33)).toEqual([]); // the schedule has not ticked since the last check
    expect(await runDueAt(46)).toEqual(['fx2.daily_total:schedule:succeeded', 'fx2.best_day:cascade:succeeded']);
    expect(await lastCall()).toMatchObject({ mode: 'incremental', trigger: 'schedule' });
    expect(Number(await differences())).toBe(0);
    expect((await c.query(`SELECT amount::int, days::int FROM fx2.best_day`)).rows).toEqual([{ amount: 30, days: 11 }]);
    expect(await runDueAt(61)).toEqual([]);
  });

  test('freshness: fresh right after a change, warn past warn_after, stale past error_after; mv_ops.freshness_alert has it', async () => {
    await setClock(62);
    await c.query(`UPDATE fx2.sale SET amount = amount + 1 WHERE day = '2025-01-02'`);
    expect(await stateOf('fx2.daily_total')).toBe('fresh');
    expect(await stateOf('fx2.daily_total', `mv_ops.now() + interval '45 minutes'`)).toBe('warn');
    expect(await stateOf('fx2.daily_total', `mv_ops.now() + interval '3 hours'`)).toBe('stale');
    // Its reader lags as far as the aggregate it reads.
    expect(await stateOf('fx2.best_day', `mv_ops.now() + interval '3 hours'`)).toBe('stale');
    const alert = await c.query(`SELECT view, severity FROM mv_ops.freshness_alert WHERE pack = 'fx2' ORDER BY view`);
    expect(alert.rows).toEqual([
      { view: 'fx2.best_day', severity: 0 },
      { view: 'fx2.daily_total', severity: 0 },
    ]);
    expect(await runDueAt(76)).toEqual(['fx2.daily_total:schedule:succeeded', 'fx2.best_day:cascade:succeeded']);
  });

  test('a failing routine is logged failed with its SQLSTATE, its reader skipped, its previous rows kept, and the state is failing', async () => {
    const before = (await c.query(`SELECT count(*)::int AS n, sum(amount)::int AS s FROM fx2.daily_total`)).rows[0];
    await c.query(`INSERT INTO fx2.sale (day, amount, qty) VALUES ('2025-01-12', 5, 0)`); // sum(qty) = 0 that day
    expect(await runDueAt(91)).toEqual(['fx2.daily_total:schedule:failed', 'fx2.best_day:cascade:skipped']);
    const log = await c.query(
      `SELECT view_name, sqlstate, message FROM mv_ops.refresh_log WHERE view_name LIKE 'fx2.%' ORDER BY log_id DESC LIMIT 2`
    );
    expect(log.rows).toEqual([
      { view_name: 'fx2.best_day', sqlstate: null, message: 'skipped: upstream fx2.daily_total did not refresh' },
      { view_name: 'fx2.daily_total', sqlstate: '22012', message: 'division by zero' },
    ]);
    expect((await c.query(`SELECT count(*)::int AS n, sum(amount)::int AS s FROM fx2.daily_total`)).rows[0]).toEqual(
      before
    );
    const f = await c.query(`SELECT state, last_error FROM mv_ops.freshness WHERE view_name = 'fx2.daily_total'`);
    expect(f.rows).toEqual([{ state: 'failing', last_error: '22012: division by zero' }]);
    const alert = await c.query(`SELECT severity FROM mv_ops.freshness_alert WHERE view = 'fx2.daily_total'`);
    expect(alert.rows).toEqual([{ severity: 3 }]);

    await c.query(`DELETE FROM fx2.sale WHERE qty = 0`);
    expect(await runDueAt(106)).toEqual(['fx2.daily_total:schedule:succeeded', 'fx2.best_day:cascade:succeeded']);
    expect(await stateOf('fx2.daily_total')).toBe('fresh');
  });

  test('the full-refresh schedule makes the next scheduled call full', async () => {
    await c.query(`UPDATE mv_ops.managed_view SET full_refresh_schedule = '0 * * * *' WHERE view_name = 'daily_total'`);
    // 02:01: the 02:00 full refresh fired since the last success (at 01:46).
    expect(await runDueAt(121)).toEqual(['fx2.daily_total:schedule:succeeded', 'fx2.best_day:cascade:succeeded']);
    expect(await lastCall()).toMatchObject({ mode: 'full', trigger: 'schedule' });
    await c.query(`INSERT INTO fx2.sale (day, amount) VALUES ('2025-01-13', 1)`);
    expect(await runDueAt(136)).toEqual(['fx2.daily_total:schedule:succeeded', 'fx2.best_day:cascade:succeeded']);
    expect(await lastCall()).toMatchObject({ mode: 'incremental', trigger: 'schedule' });
  });

  test('a routine dropped after registration fails the attempt with a clear message instead of running anything', async () => {
    await c.query(`
      CREATE TABLE fx2.gone (k int PRIMARY KEY);
      CREATE FUNCTION fx2.fill_gone() RETURNS void LANGUAGE sql AS 'INSERT INTO fx2.gone VALUES (1) ON CONFLICT DO NOTHING';
      SELECT mv_ops.register_aggregate('fx2.gone', 'fx2_gone', 'd', '@hourly', '1 hour', '2 hours',
                                       'fx2.fill_gone()', ARRAY['fx2.other'::regclass]);
      DROP FUNCTION fx2.fill_gone();`);
    const { rows } = await c.query(`CALL mv_ops.refresh(views => ARRAY['fx2.gone'])`);
    const log = await logOf(c, Number(rows[0].run_id));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: 'failed', sqlstate: '42883' });
    expect(log[0].message).toMatch(
      /^refresh routine fx2\.fill_gone\(\) of fx2\.gone no longer exists: register the aggregate again$/
    );
  });
});

describe('registry rows that outlive the objects they name', () => {
  test('a declared source dropped and created again is still a source: tracked again at the next tick, refreshed on its changes', async () => {
    await c.query(`
      CREATE TABLE fx2.src_again (x int PRIMARY KEY);
      CREATE TABLE fx2.count_again (k int PRIMARY KEY, n bigint NOT NULL);
      CREATE FUNCTION fx2.fill_count_again() RETURNS void LANGUAGE sql
        AS 'DELETE FROM fx2.count_again; INSERT INTO fx2.count_again SELECT 1, count(*) FROM fx2.src_again';
      SELECT mv_ops.register_aggregate('fx2.count_again', 'fx2_again', 'd', '*/15 * * * *', '1 hour', '2 hours',
                                       'fx2.fill_count_again()', ARRAY['fx2.src_again'::regclass]);`);
    expect(await runDueAt(1000, 'fx2_again')).toEqual(['fx2.count_again:schedule:succeeded']);
    await c.query(
      `DROP TABLE fx2.src_again; CREATE TABLE fx2.src_again (x int PRIMARY KEY); INSERT INTO fx2.src_again VALUES (1), (2);`
    );
    const sources = await c.query(
      `SELECT s.source::text FROM mv_ops.view_source s JOIN mv_ops.managed_view m USING (view_id) WHERE m.view_name = 'count_again'`
    );
    expect(sources.rows).toEqual([{ source: 'fx2.src_again' }]);
    expect(await runDueAt(1015, 'fx2_again')).toEqual(['fx2.count_again:schedule:succeeded']);
    expect((await c.query(`SELECT n::int FROM fx2.count_again`)).rows).toEqual([{ n: 2 }]);
    expect(await runDueAt(1030, 'fx2_again')).toEqual([]);
    await c.query(`INSERT INTO fx2.src_again VALUES (3)`);
    expect(await runDueAt(1045, 'fx2_again')).toEqual(['fx2.count_again:schedule:succeeded']);
    expect((await c.query(`SELECT n::int FROM fx2.count_again`)).rows).toEqual([{ n: 3 }]);
  });

  test('a routine replaced after registration by one its schema owner owns (not SECURITY DEFINER) is refused at refresh, not run', async () => {
    const app = `fx2_schema_owner_${process.pid}`;
    await c.query(`
      CREATE ROLE ${app};
      CREATE SCHEMA fx2_app AUTHORIZATION ${app};
      CREATE TABLE fx2_app.agg (k int PRIMARY KEY);
      CREATE FUNCTION fx2_app.fill() RETURNS void LANGUAGE sql AS 'INSERT INTO fx2_app.agg VALUES (1) ON CONFLICT DO NOTHING';
      SELECT mv_ops.register_aggregate('fx2_app.agg', 'fx2_app', 'd', '@hourly', '1 hour', '2 hours',
                                       'fx2_app.fill()', ARRAY['fx2.other'::regclass]);`);
    try {
      // The schema's owner may drop what is in it, and put a routine of its own under the same name.
      await c.query(`
        SET ROLE ${app};
        DROP FUNCTION fx2_app.fill();
        CREATE FUNCTION fx2_app.fill() RETURNS void LANGUAGE sql AS 'INSERT INTO fx2_app.agg VALUES (2)';
        RESET ROLE;`);
      const { rows } = await c.query(`CALL mv_ops.refresh(views => ARRAY['fx2_app.agg'])`);
      const [attempt] = await logOf(c, Number(rows[0].run_id));
      expect(attempt).toMatchObject({ status: 'failed', sqlstate: '42501' });
      expect(attempt.message).toMatch(
        /^refresh routine fx2_app\.fill\(\) of fx2_app\.agg is now owned by another role/
      );
      expect((await c.query(`SELECT count(*)::int AS n FROM fx2_app.agg`)).rows[0].n).toBe(0);
    } finally {
      await c.query(`RESET ROLE; DELETE FROM mv_ops.managed_view WHERE pack = 'fx2_app';
                     DROP SCHEMA fx2_app CASCADE; DROP ROLE ${app};`);
    }
  });

  test('a materialized view registered under the name of a dropped aggregate is refreshed as a view, not by the old routine', async () => {
    await c.query(`
      CREATE TABLE fx2.flip (k int PRIMARY KEY);
      CREATE FUNCTION fx2.fill_flip() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO fx2.routine_call (mode, trigger) VALUES ('flip', 'flip');
      END $$;
      SELECT mv_ops.register_aggregate('fx2.flip', 'fx2_flip', 'd', '@hourly', '1 hour', '2 hours',
                                       'fx2.fill_flip()', ARRAY['fx2.other'::regclass]);
      DROP TABLE fx2.flip;
      CREATE MATERIALIZED VIEW fx2.flip AS SELECT x AS k FROM fx2.other WITH NO DATA;
      CREATE UNIQUE INDEX ON fx2.flip (k);
      SELECT mv_ops.register_view('fx2.flip', 'fx2_flip', 'd', '@hourly', '1 hour', '2 hours');`);
    const reg = await c.query(
      `SELECT kind, refresh_routine, declared_sources FROM mv_ops.managed_view WHERE schema_name = 'fx2' AND view_name = 'flip'`
    );
    expect(reg.rows).toEqual([{ kind: 'materialized_view', refresh_routine: null, declared_sources: null }]);
    const { rows } = await c.query(`CALL mv_ops.refresh(views => ARRAY['fx2.flip'])`);
    expect((await logOf(c, Number(rows[0].run_id))).map((l) => l.status)).toEqual(['succeeded']);
    expect((await c.query(`SELECT count(*)::int AS n FROM fx2.routine_call WHERE mode = 'flip'`)).rows[0].n).toBe(0);
    expect(
      (await c.query(`SELECT relispopulated FROM pg_class WHERE oid = 'fx2.flip'::regclass`)).rows[0].relispopulated
    ).toBe(true);
  });

  test('a materialized view registered under the name of a dropped keyed aggregate is no longer keyed, and its key progress goes', async () => {
    await c.query(`
      CREATE TABLE fx2.flip_keyed (k int PRIMARY KEY);
      SELECT mv_ops.register_aggregate('fx2.flip_keyed', 'fx2_flip', 'd', '@hourly', '1 hour', '2 hours',
                                       'fx2.fill_flip()', ARRAY['fx2.other'::regclass]);
      SELECT mv_ops.track_keys('fx2.other', NULL);
      SELECT mv_ops.make_keyed('fx2.flip_keyed');
      DROP TABLE fx2.flip_keyed;
      CREATE MATERIALIZED VIEW fx2.flip_keyed AS SELECT x AS k FROM fx2.other WITH NO DATA;
      CREATE UNIQUE INDEX ON fx2.flip_keyed (k);
      SELECT mv_ops.register_view('fx2.flip_keyed', 'fx2_flip', 'd', '@hourly', '1 hour', '2 hours');`);
    const reg = await c.query(
      `SELECT m.kind, m.keyed, (SELECT count(*)::int FROM mv_ops.key_progress p WHERE p.view_id = m.view_id) AS progress
       FROM mv_ops.managed_view m WHERE schema_name = 'fx2' AND view_name = 'flip_keyed'`
    );
    expect(reg.rows).toEqual([{ kind: 'materialized_view', keyed: false, progress: 0 }]);
    const { rows } = await c.query(`CALL mv_ops.refresh(views => ARRAY['fx2.flip_keyed'])`);
    expect((await logOf(c, Number(rows[0].run_id))).map((l) => l.status)).toEqual(['succeeded']);
  });

  test('an aggregate made keyed stays due for the changes it had not refreshed past, though other keyed aggregates prune them', async () => {
    await c.query(`
      CREATE TABLE fx2.kt (day date NOT NULL, v int NOT NULL);
      CREATE TABLE fx2.ka (day date PRIMARY KEY, v bigint NOT NULL);
      CREATE TABLE fx2.kb (day date PRIMARY KEY, v bigint NOT NULL);
      -- Routines that recompute everything: right in any mode.
      CREATE FUNCTION fx2.fill_ka() RETURNS void LANGUAGE sql AS
        'DELETE FROM fx2.ka; INSERT INTO fx2.ka SELECT day, sum(v) FROM fx2.kt GROUP BY day';
      CREATE FUNCTION fx2.fill_kb() RETURNS void LANGUAGE sql AS
        'DELETE FROM fx2.kb; INSERT INTO fx2.kb SELECT day, sum(v) FROM fx2.kt GROUP BY day';
      SELECT mv_ops.register_aggregate('fx2.ka', 'fx2_keyed', 'a', '@hourly', '1 hour', '2 hours', 'fx2.fill_ka()', ARRAY['fx2.kt'::regclass]);
      SELECT mv_ops.register_aggregate('fx2.kb', 'fx2_keyed', 'b', '@hourly', '1 hour', '2 hours', 'fx2.fill_kb()', ARRAY['fx2.kt'::regclass]);
      SELECT mv_ops.track_keys('fx2.kt', 'day');
      SELECT mv_ops.make_keyed('fx2.kb');`);
    await c.query(`CALL mv_ops.refresh(pack => 'fx2_keyed')`);
    const changed = async (view: string) => (await viewState(c, `fx2.${view}`)).sources_changed;
    await c.query(`INSERT INTO fx2.kt VALUES ('2025-03-01', 5)`);
    expect(await changed('ka')).toBe(true);
    await c.query(`SELECT mv_ops.make_keyed('fx2.ka')`);
    await c.query(`CALL mv_ops.refresh(views => ARRAY['fx2.kb'], cascade => false, trigger => 'schedule')`);
    // kb consumed the row, and ka's new progress counts it as consumed: the journal no longer holds it.
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.changed_key WHERE source = 'fx2.kt'`)).rows[0].n).toBe(
      0
    );
    expect(await changed('ka')).toBe(true);
    await c.query(`CALL mv_ops.refresh(views => ARRAY['fx2.ka'], cascade => false, trigger => 'schedule')`);
    expect((await c.query(`SELECT v::int FROM fx2.ka WHERE day = '2025-03-01'`)).rows).toEqual([{ v: 5 }]);
    expect(await changed('ka')).toBe(false);
  });
});
