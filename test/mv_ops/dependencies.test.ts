import type { Client } from 'pg';
import { installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('deps');
  c = await db.session();
  await installThreeTier(c);
});
afterAll(() => db.close());

const sources = async () =>
  (
    await c.query(`SELECT mv_ops.qualified_name(m) AS view, s.source::text, s.kind
                   FROM mv_ops.view_source s JOIN mv_ops.managed_view m USING (view_id)
                   WHERE m.schema_name = 'fx' ORDER BY 1, 2`)
  ).rows;

describe('dependencies derived from the catalog', () => {
  test('base tables and upstream managed views are found, through plain views', async () => {
    expect(await sources()).toEqual([
      { view: 'fx.daily', source: 'fx.sale', kind: 'table' },
      { view: 'fx.other_mv', source: 'fx.other', kind: 'table' },
      { view: 'fx.total', source: 'fx.weekly', kind: 'managed_view' },
      { view: 'fx.weekly', source: 'fx.daily', kind: 'managed_view' },
    ]);
  });

  test('levels give a topological order: daily before weekly before total', async () => {
    const { rows } = await c.query(`SELECT mv_ops.qualified_name(m) AS view, level FROM mv_ops.view_level
                                    JOIN mv_ops.managed_view m USING (view_id) WHERE m.schema_name = 'fx' ORDER BY level, 1`);
    expect(rows).toEqual([
      { view: 'fx.daily', level: 0 },
      { view: 'fx.other_mv', level: 0 },
      { view: 'fx.weekly', level: 1 },
      { view: 'fx.total', level: 2 },
    ]);
  });

  test('a view re-created to read another table is seen at once: nothing is kept by hand', async () => {
    await c.query(`
      CREATE TABLE fx.extra (x int PRIMARY KEY);
      DROP MATERIALIZED VIEW fx.other_mv;
      CREATE MATERIALIZED VIEW fx.other_mv AS SELECT o.x FROM fx.other o JOIN fx.extra e USING (x) WITH NO DATA;
      CREATE UNIQUE INDEX ON fx.other_mv (x);`);
    const other = (await sources()).filter((r) => r.view === 'fx.other_mv');
    expect(other).toEqual([
      { view: 'fx.other_mv', source: 'fx.extra', kind: 'table' },
      { view: 'fx.other_mv', source: 'fx.other', kind: 'table' },
    ]);
  });
});
