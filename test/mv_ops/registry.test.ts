import type { Client } from 'pg';
import { asRole, errorOf, openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('registry');
  c = await db.session();
  await c.query(`
    CREATE SCHEMA r;
    CREATE TABLE r.t (id int PRIMARY KEY, v int);
    CREATE VIEW r.plain AS SELECT * FROM r.t;
    CREATE MATERIALIZED VIEW r.no_index AS SELECT id, v FROM r.t;
    CREATE MATERIALIZED VIEW r.expr_index AS SELECT id, v FROM r.t;
    CREATE UNIQUE INDEX ON r.expr_index ((id + 0));
    CREATE MATERIALIZED VIEW r.partial_index AS SELECT id, v FROM r.t;
    CREATE UNIQUE INDEX ON r.partial_index (id) WHERE v > 0;
    CREATE MATERIALIZED VIEW r.good AS SELECT id, v FROM r.t;
    CREATE UNIQUE INDEX ON r.good (id);`);
});
afterAll(() => db.close());

const register = (target: string, schedule = '*/15 * * * *', tz = 'UTC') =>
  c.query(`SELECT mv_ops.register_view($1, 'p', 'd', $2, '30 minutes', '2 hours', time_zone => $3)`, [
    target,
    schedule,
    tz,
  ]);

describe('mv_ops.register_view', () => {
  test('refuses a table and a plain view: only materialized views can be managed', async () => {
    expect((await errorOf(register('r.t'))).message).toBe(
      'r.t is not a materialized view (relkind r): only materialized views can be managed'
    );
    expect((await errorOf(register('r.plain'))).message).toContain('r.plain is not a materialized view');
  });

  test.each(['r.no_index', 'r.expr_index', 'r.partial_index'])(
    'refuses %s (no unique index on plain columns) and says which index to add',
    async (view) => {
      const err = await errorOf(register(view));
      expect(err.message).toBe(`${view} has no unique index on plain columns, so it cannot be refreshed concurrently`);
      expect(err.hint).toContain(`CREATE UNIQUE INDEX ON ${view} (<key columns>)`);
    }
  );

  test.each([
    ['*/15 * * *', 'expected five fields'],
    ['61 * * * *', 'invalid minute field "61"'],
    ['* 24 * * *', 'invalid hour field "24"'],
    ['x * * * *', 'invalid minute field "x"'],
  ])('refuses the malformed schedule %p with a message naming the problem', async (schedule, fragment) => {
    expect((await errorOf(register('r.good', schedule))).message).toContain(fragment);
  });

  test('refuses an unknown time zone', async () => {
    expect((await errorOf(register('r.good', '@hourly', 'Mars/Olympus'))).message).toBe(
      'unknown time zone "Mars/Olympus"'
    );
  });

  test('registers a valid view once; registering it again updates the same row', async () => {
    const first = await register('r.good', '*/5 * * * *');
    const second = await register('r.good', '@daily', 'Asia/Bangkok');
    expect(second.rows[0].register_view).toBe(first.rows[0].register_view);
    const { rows } = await c.query(`SELECT schedule, time_zone FROM mv_ops.managed_view WHERE view_name = 'good'`);
    expect(rows).toEqual([{ schedule: '@daily', time_zone: 'Asia/Bangkok' }]);
  });

  test('installs the change-tracking trigger on the base table', async () => {
    const { rows } = await c.query(
      `SELECT tgrelid::regclass::text AS rel FROM pg_trigger WHERE tgname = 'mv_ops_track_changes' AND tgrelid::regclass::text LIKE 'r.%'`
    );
    expect(rows).toEqual([{ rel: 'r.t' }]);
  });
});

describe('mv_ops.unregister_view', () => {
  const trackedTables = async () =>
    (
      await c.query(
        `SELECT tgrelid::regclass::text AS rel FROM pg_trigger
         WHERE tgname = 'mv_ops_track_changes' AND tgrelid::regclass::text LIKE 'u.%' ORDER BY 1`
      )
    ).rows.map((r) => r.rel);

  beforeAll(async () => {
    await c.query(`
      CREATE SCHEMA u;
      CREATE TABLE u.shared (id int PRIMARY KEY);
      CREATE TABLE u.own (id int PRIMARY KEY);
      CREATE MATERIALIZED VIEW u.a AS SELECT s.id FROM u.shared s JOIN u.own o USING (id) WITH NO DATA;
      CREATE UNIQUE INDEX ON u.a (id);
      CREATE MATERIALIZED VIEW u.b AS SELECT id FROM u.shared WITH NO DATA;
      CREATE UNIQUE INDEX ON u.b (id);
      CREATE MATERIALIZED VIEW u.on_a AS SELECT id FROM u.a WITH NO DATA;
      CREATE UNIQUE INDEX ON u.on_a (id);
      SELECT mv_ops.register_view(v, 'u', 'd', '@hourly', '1 hour', '2 hours') FROM unnest(ARRAY['u.a', 'u.b', 'u.on_a']::regclass[]) v;`);
    // On its own: a procedure that commits cannot run inside a multi-statement query.
    await c.query(`CALL mv_ops.refresh(pack => 'u')`);
  });

  test('refuses an unknown name, and a view other managed views read (naming them)', async () => {
    expect(await errorOf(c.query(`SELECT mv_ops.unregister_view('u.nope')`))).toMatchObject({
      code: '22023',
      message: 'unknown view "u.nope": not a managed view',
    });
    expect(await errorOf(c.query(`SELECT mv_ops.unregister_view('u.a')`))).toMatchObject({
      code: '2BP01',
      message: 'managed views read u.a: u.on_a',
    });
  });

  test("is the owner's: operators and readers may not call it", async () => {
    for (const role of ['mv_ops_operator', 'mv_ops_reader']) {
      const err = await asRole(c, role, () => errorOf(c.query(`SELECT mv_ops.unregister_view('u.b')`)));
      expect(err.code).toBe('42501');
    }
  });

  test('removes the registration, keeps the refresh history, and untracks only tables no other view needs', async () => {
    expect(await trackedTables()).toEqual(['u.own', 'u.shared']);
    await c.query(`SELECT mv_ops.unregister_view('u.on_a')`);
    const { rows } = await c.query(`SELECT mv_ops.unregister_view('u.a') AS untracked`);
    expect(rows).toEqual([{ untracked: 1 }]);
    expect(await trackedTables()).toEqual(['u.shared']); // u.b still reads it
    const registered = await c.query(`SELECT view_name FROM mv_ops.managed_view WHERE schema_name = 'u'`);
    expect(registered.rows).toEqual([{ view_name: 'b' }]);
    const history = await c.query(
      `SELECT view_name, view_id, status FROM mv_ops.refresh_log WHERE view_name IN ('u.a', 'u.on_a') ORDER BY view_name`
    );
    expect(history.rows).toEqual([
      { view_name: 'u.a', view_id: null, status: 'succeeded' },
      { view_name: 'u.on_a', view_id: null, status: 'succeeded' },
    ]);
    // The view itself is untouched, and the scheduler no longer considers it.
    expect((await c.query(`SELECT to_regclass('u.a') IS NOT NULL AS exists`)).rows).toEqual([{ exists: true }]);
    expect((await c.query(`SELECT count(*)::int AS n FROM mv_ops.freshness WHERE view_name = 'u.a'`)).rows[0].n).toBe(
      0
    );
  });

  test('a dropped view can be unregistered, ending its failing attempts', async () => {
    await c.query(`DROP MATERIALIZED VIEW u.b`);
    const { rows } = await c.query(`SELECT mv_ops.unregister_view('u.b') AS untracked`);
    expect(rows).toEqual([{ untracked: 1 }]);
    expect(await trackedTables()).toEqual([]);
  });
});
