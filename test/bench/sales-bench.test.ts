// The sales benchmark's new measurements run end to end at a tiny scale: the 15-minute batch and both refreshes,
// the write path with the mv_ops triggers off and on, and the dashboard call in new sessions. Nothing here
// asserts a speed: only that each measurement runs, records what the engine did, and leaves the data as it found it.
import type { Client } from 'pg';
import { toMarkdown } from '../../server/src/bench/report';
import { measureScale } from '../../server/src/bench/measureScale';
import { salesBench } from '../../server/src/bench/sales';
import {
  BATCH_ROUNDS,
  CORRECTION_DAYS_BACK,
  measureBatchRefresh,
  measureWritePath,
} from '../../server/src/bench/salesWrites';
import { openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(120_000);

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('bench_sales');
  c = await db.session();
});
afterAll(() => db.close());

const SALES_VIEWS = [
  'pos.mv_customer_analytics',
  'pos.mv_customer_daily_visits',
  'pos.mv_daily_sales_summary',
  'pos.mv_dashboard_summary_cache',
  'pos.mv_monthly_reports_cache',
  'pos.mv_monthly_sales_summary',
  'pos.mv_product_performance',
  'pos.mv_weekly_reports_cache',
  'pos.mv_weekly_sales_summary',
];

const dataSet = async () =>
  (
    await c.query(`SELECT count(*)::int AS n, sum(sales_net)::text AS net, max(date)::text AS last,
                          md5(string_agg(concat_ws('|', id, receipt_number, sales_net, is_voided, customer_phone_number), ',' ORDER BY id)) AS f
                   FROM pos.lengolf_sales`)
  ).rows[0];

describe('sales benchmark at a tiny scale', () => {
  const logged: string[] = [];
  const bench = {
    ...salesBench,
    // Fewer and smaller write-path rounds than a real run: this proves they execute, not how fast.
    extra: async (ctx: Parameters<NonNullable<typeof salesBench.extra>>[0]) => {
      const incremental = await measureBatchRefresh(ctx);
      const before = await dataSet();
      const writePath = await measureWritePath(ctx, { rounds: 2, singleLineReceipts: 5, multiLineReceipts: 3 });
      expect(await dataSet()).toEqual(before);
      return { incremental, writePath };
    },
  };
  let result: Awaited<ReturnType<typeof measureScale>>;

  beforeAll(async () => {
    result = await measureScale(db.url, 'sales', 0.02, bench, (line) => logged.push(line));
  });

  test('the data ends today in the venue’s time zone, and the scenarios ask for the days up to it', async () => {
    const { rows } = await c.query(
      `SELECT (now() AT TIME ZONE value)::date::text AS today FROM pos.setting WHERE name = 'time_zone'`
    );
    const inc = result.incremental!;
    expect(inc.day).toBe(rows[0].today);
    expect((await dataSet()).last).toBe(inc.day);
    const [dashboard, toToday] = await salesBench.scenarios(c);
    expect(toToday.mvSql).toContain(`'${inc.day}'::date, '${inc.day}'::date - 59`);
    const yesterday = new Date(Date.parse(`${inc.day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect(dashboard.mvSql).toContain(`'${yesterday}'::date, '${yesterday}'::date - 59`);
  });

  test('the batch: whole receipts for today of about 1/96 of a day, one per INSERT, and three corrections 200 days back', async () => {
    const inc = result.incremental!;
    expect(inc.batchLines).toBeGreaterThanOrEqual(Math.max(1, Math.round(inc.averageDayLines / 96)));
    expect(inc.batchReceipts).toBeGreaterThanOrEqual(1);
    const { rows } = await c.query(
      `SELECT count(*)::int AS lines, count(DISTINCT receipt_number)::int AS receipts FROM pos.lengolf_sales
       WHERE date = $1 AND receipt_number LIKE 'R' || to_char($1::date, 'YYYYMMDD') || '-5%'`,
      [inc.day]
    );
    // Every round's batch stays in the data.
    const sum = (f: (r: (typeof inc.rounds)[number]) => number) => inc.rounds.reduce((n, r) => n + f(r), 0);
    expect(rows[0]).toEqual({ lines: sum((r) => r.batchLines), receipts: sum((r) => r.batchReceipts) });
    expect(inc.corrections.map((x) => x.what)).toHaveLength(3);
    const cutoff = new Date(Date.parse(`${inc.day}T00:00:00Z`) - CORRECTION_DAYS_BACK * 86_400_000).toISOString();
    for (const x of inc.corrections) {
      expect(x.date <= cutoff.slice(0, 10)).toBe(true);
    }
    const voided = inc.corrections.find((x) => x.what === 'a line voided')!;
    expect(
      (await c.query(`SELECT is_voided FROM pos.lengolf_sales WHERE id = $1`, [voided.id])).rows[0].is_voided
    ).toBe(true);
  });

  test('both refreshes cover the nine views, succeeded, with what the refresh log says about each', () => {
    const { scheduled, full, ratio } = result.incremental!;
    for (const run of [scheduled, full]) {
      expect(run.views.map((v) => v.view).sort()).toEqual(SALES_VIEWS);
      expect(run.views.every((v) => v.status === 'succeeded')).toBe(true);
      expect(run.wallMs).toBeGreaterThan(0);
    }
    expect(scheduled.trigger).toBe('schedule');
    // A person's refresh is always full; the scheduled one is whatever the engine logged (not asserted here).
    expect(full.views.every((v) => v.refreshType === 'full')).toBe(true);
    for (const v of scheduled.views) {
      expect(['full', 'incremental', null]).toContain(v.refreshType);
    }
    expect(ratio).toBeCloseTo(scheduled.wallMs / full.wallMs, 10);
  });

  test('the batch is measured in BATCH_ROUNDS (five) rounds, and the figures are those of the round with the median ratio', () => {
    const inc = result.incremental!;
    expect(inc.rounds).toHaveLength(BATCH_ROUNDS);
    expect(BATCH_ROUNDS).toBe(5);
    const ratios = inc.rounds.map((r) => r.ratio);
    expect(ratios.every((r) => r > 0)).toBe(true);
    expect(inc.ratio).toBe([...ratios].sort((a, b) => a - b)[2]);
    const chosen = inc.rounds.find((r) => r.ratio === inc.ratio)!;
    expect([chosen.scheduledMs, chosen.fullMs, chosen.batchLines]).toEqual([
      inc.scheduled.wallMs,
      inc.full.wallMs,
      inc.batchLines,
    ]);
  });

  test('the write path: both receipt shapes and late lines, every mv_ops trigger switched off and on again', async () => {
    const { rows } = await c.query(
      `SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'pos.lengolf_sales'::regclass AND tgname LIKE 'mv\\_ops\\_%' ORDER BY tgname`
    );
    // Key-tracked: the key journal is its change journal, so there is no mv_ops_track_changes (0107).
    expect(rows.map((r) => r.tgname)).toEqual([
      'mv_ops_track_keys_delete',
      'mv_ops_track_keys_insert',
      'mv_ops_track_keys_truncate',
      'mv_ops_track_keys_update',
    ]);
    expect(rows.every((r) => r.tgenabled === 'O')).toBe(true);
    // Both shapes of today's receipts and single-line receipts dated yesterday (the lines the key journal still
    // records), as the throwaway cluster commits (fsync off), then with durable commits.
    expect(result.writePath!.map((w) => `${w.shape}: ${w.commits}`)).toEqual([
      'single-line receipts: fsync off, synchronous_commit off, full_page_writes off',
      'multi-line receipts: fsync off, synchronous_commit off, full_page_writes off',
      'late single-line receipts: fsync off, synchronous_commit off, full_page_writes off',
      'single-line receipts: fsync on, synchronous_commit on, full_page_writes on',
      'multi-line receipts: fsync on, synchronous_commit on, full_page_writes on',
      'late single-line receipts: fsync on, synchronous_commit on, full_page_writes on',
    ]);
    for (const w of result.writePath!) {
      expect(w.triggers).toEqual(rows.map((r) => r.tgname));
      expect(w.rounds).toHaveLength(2);
      expect(w.rounds.map((r) => r.first)).toEqual(['on', 'off']);
      expect(w.offUsPerLine).toBeGreaterThan(0);
      expect(w.onUsPerLine).toBeGreaterThan(0);
      expect(Number.isFinite(w.overheadPct)).toBe(true);
    }
    expect(result.writePath![0].lines).toBe(5);
    expect(result.writePath![1].lines / result.writePath![1].receipts).toBeGreaterThan(1);
    // The durable pass puts the server's settings back.
    const { rows: after } = await c.query(
      `SELECT current_setting('fsync') AS fsync, current_setting('full_page_writes') AS fpw`
    );
    expect(after[0]).toEqual({ fsync: 'off', fpw: 'off' });
  });

  test('both dashboard calls (to yesterday, to today) are also measured in new sessions, planning included', () => {
    const dashboards = result.scenarios.filter((s) => s.name.startsWith('dashboard'));
    expect(dashboards).toHaveLength(2);
    for (const dashboard of dashboards) {
      expect(dashboard.mvFresh!.runs).toBe(10);
      expect(dashboard.mvFresh!.totalBuffers).toBeGreaterThan(0);
      expect(dashboard.mvFresh!.totalBuffers).toBeGreaterThanOrEqual(dashboard.mvFresh!.sharedBuffers);
    }
    expect(result.scenarios.filter((s) => s.mvFresh)).toHaveLength(2);
  });

  test('the report has the three new tables with this run’s figures', () => {
    const md = toMarkdown({
      pack: 'sales',
      startedAt: new Date().toISOString(),
      postgres: 'x',
      machine: 'y',
      scales: [result],
    });
    expect(md).toContain('#### Incremental refresh');
    expect(md).toContain('#### Write path');
    expect(md).toContain('#### View path in a new session');
    expect(md).toContain(result.incremental!.scheduled.wallMs.toLocaleString('en-US', { maximumFractionDigits: 0 }));
  });
});
