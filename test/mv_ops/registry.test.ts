import type { Client } from 'pg';
import { errorOf, openTestDatabase, type TestDb } from '../harness/sql';

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
