// A plain REFRESH MATERIALIZED VIEW (a view's first refresh, a rebuild, or any REFRESH outside mv_ops) holds
// ACCESS EXCLUSIVE on the view until its transaction ends. Status readers (the service's GET /api/views, the
// dashboards, the alert rules) must not wait for it: the size of a locked view is NULL, every row is there.
import type { Client } from 'pg';
import { callRefresh, installThreeTier, slowViewSql } from '../fixtures/threeTier';
import { asRole, openTestDatabase, waitFor, type TestDb } from '../harness/sql';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;
let reader: Client;

beforeAll(async () => {
  db = await openTestDatabase('freshness_nowait');
  c = await db.session();
  await installThreeTier(c);
  await callRefresh(c, `views => ARRAY['fx.daily', 'fx.weekly', 'fx.total', 'fx.other_mv']`);
  // Never populated: its first refresh is a plain REFRESH, about 6 seconds long.
  await c.query(slowViewSql(6));
  reader = await db.session();
  // Shorter than the refresh: on a reader that waits for the view's lock this fails with 57014.
  await reader.query(`SET statement_timeout = '2s'`);
});
afterAll(() => db.close());

/** Resolves once some session holds ACCESS EXCLUSIVE on the view (what a plain REFRESH takes). */
const lockHeld = (view: string) =>
  waitFor(
    async () =>
      (
        await c.query(
          `SELECT 1 FROM pg_locks WHERE locktype = 'relation' AND relation = $1::regclass
           AND mode = 'AccessExclusiveLock' AND granted AND pid <> pg_backend_pid()`,
          [view]
        )
      ).rowCount === 1,
    `ACCESS EXCLUSIVE on ${view}`
  );

const managedViews = async (): Promise<string[]> =>
  (await c.query(`SELECT mv_ops.qualified_name(m) AS v FROM mv_ops.managed_view m ORDER BY 1`)).rows.map((r) => r.v);

/** What the status readers see, as mv_ops_reader, with the 2 second statement_timeout. */
async function readStatus() {
  return asRole(reader, 'mv_ops_reader', async () => {
    const started = Date.now();
    const freshness = (
      await reader.query(`SELECT view_name, state, size_bytes FROM mv_ops.freshness ORDER BY view_name`)
    ).rows;
    const alert = (await reader.query(`SELECT view, severity FROM mv_ops.freshness_alert ORDER BY view`)).rows;
    return { freshness, alert, ms: Date.now() - started };
  });
}

interface SizeRow {
  view_name: string;
  size_bytes: string | null;
}

const sizeOf = (rows: SizeRow[], view: string) => rows.find((r) => r.view_name === view)!.size_bytes;

describe('mv_ops.freshness while a view is locked by a plain REFRESH', () => {
  test("a never-populated view's first refresh: every row at once, that view's size NULL; the size is back afterwards", async () => {
    const views = await managedViews();
    expect(views).toContain('fx.slow');
    const refresher = await db.session();
    const refreshing = callRefresh(refresher, `views => ARRAY['fx.slow']`);
    await lockHeld('fx.slow');

    const during = await readStatus();
    expect(during.freshness.map((r) => r.view_name)).toEqual(views);
    expect(during.alert.map((r) => r.view)).toEqual(views);
    expect(during.freshness.find((r) => r.view_name === 'fx.slow')).toEqual({
      view_name: 'fx.slow',
      state: 'never_refreshed',
      size_bytes: null,
    });
    expect(during.alert.find((r) => r.view === 'fx.slow')!.severity).toBe(2);
    // The other views are not locked: their sizes are exact, as before.
    for (const view of ['fx.daily', 'fx.weekly', 'fx.total', 'fx.other_mv']) {
      expect(Number(sizeOf(during.freshness, view))).toBeGreaterThan(0);
    }
    expect(during.ms).toBeLessThan(1500);
    // The refresh was still holding the view when the reads returned.
    await lockHeld('fx.slow');

    expect(await refreshing).toBeGreaterThan(0);
    const after = await readStatus();
    expect(after.freshness.find((r) => r.view_name === 'fx.slow')).toMatchObject({ state: 'fresh' });
    const exact = (await c.query(`SELECT pg_total_relation_size('fx.slow') AS n`)).rows[0].n;
    expect(Number(exact)).toBeGreaterThan(0);
    expect(sizeOf(after.freshness, 'fx.slow')).toBe(exact);
  });

  test('a plain REFRESH held open in another transaction: the size is NULL until it ends, then exact', async () => {
    const holder = await db.session();
    try {
      await holder.query(`BEGIN; REFRESH MATERIALIZED VIEW fx.other_mv`);
      const during = await readStatus();
      expect(during.freshness).toHaveLength((await managedViews()).length);
      expect(sizeOf(during.freshness, 'fx.other_mv')).toBeNull();
      expect(Number(sizeOf(during.freshness, 'fx.daily'))).toBeGreaterThan(0);
    } finally {
      await holder.query('ROLLBACK');
    }
    const after = await readStatus();
    expect(sizeOf(after.freshness, 'fx.other_mv')).toBe(
      (await c.query(`SELECT pg_total_relation_size('fx.other_mv') AS n`)).rows[0].n
    );
  });

  test('the seed monitoring views (pos.mv_freshness_monitor, funeral.mv_monitoring) do not wait either', async () => {
    const holder = await db.session();
    try {
      await holder.query(
        // The sales views are tables since 0101: only DDL (here its lock) holds them as a plain REFRESH holds a view.
        `BEGIN; LOCK TABLE pos.mv_daily_sales_summary IN ACCESS EXCLUSIVE MODE; REFRESH MATERIALIZED VIEW funeral_mv.mv_search_index`
      );
      await asRole(reader, 'mv_ops_reader', async () => {
        const pos = (await reader.query(`SELECT matviewname, size FROM pos.mv_freshness_monitor`)).rows;
        expect(pos).toHaveLength(9);
        expect(pos.find((r) => r.matviewname === 'mv_daily_sales_summary')!.size).toBeNull();
        expect(pos.filter((r) => r.size !== null)).toHaveLength(8);
        const funeral = (
          await reader.query(`SELECT matviewname, total_size, relation_size, index_size, total_bytes
                              FROM funeral.mv_monitoring`)
        ).rows;
        expect(funeral).toHaveLength(7);
        expect(funeral.find((r) => r.matviewname === 'mv_search_index')).toEqual({
          matviewname: 'mv_search_index',
          total_size: null,
          relation_size: null,
          index_size: null,
          total_bytes: null,
        });
        // Known sizes first, largest first; the locked view last.
        expect(funeral.map((r) => r.total_bytes === null)).toEqual([false, false, false, false, false, false, true]);
      });
    } finally {
      await holder.query('ROLLBACK');
    }
    await asRole(reader, 'mv_ops_reader', async () => {
      const funeral = (await reader.query(`SELECT matviewname, total_bytes FROM funeral.mv_monitoring`)).rows;
      expect(funeral.every((r) => r.total_bytes !== null)).toBe(true);
      const pos = (await reader.query(`SELECT size FROM pos.mv_freshness_monitor`)).rows;
      expect(pos.every((r) => r.size !== null)).toBe(true);
    });
  });
});
