// The benchmark's pure helpers and its new report sections (incremental refresh, write path, new sessions):
// numbers from given results only, laid out as Prettier lays them out.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { explainBuffers, median, percentile } from '../../server/src/bench/measure';
import {
  percent,
  ratio,
  refreshKinds,
  toMarkdown,
  type BenchRun,
  type RefreshMeasurement,
  type ScaleResult,
  type ViewRefresh,
} from '../../server/src/bench/report';
import { receiptsForLines, summarizeRounds } from '../../server/src/bench/salesWrites';
import { LINE_COLUMNS } from '../../server/src/seed/sales.sql';
import { receiptInsert, type Receipt } from '../../server/src/seed/sales';
import { REPO_ROOT } from '../harness/runMigrations';

const PRETTIER = resolve(REPO_ROOT, 'node_modules/prettier/bin/prettier.cjs');
const cells = (line: string) => line.split('|').map((c) => c.trim());

describe('bench statistics', () => {
  test('median and percentiles are values that were measured (nearest rank), whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2); // the lower middle of an even count
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
    expect(median([])).toBeNaN();
  });

  test('ratio is NaN without something positive to compare with; percent shows it as a dash', () => {
    expect(ratio(1, 200)).toBe(0.005);
    expect(percent(ratio(1, 200))).toBe('0.50 %');
    expect(percent(ratio(1234, 1000))).toBe('123.40 %');
    expect(ratio(1, 0)).toBeNaN();
    expect(percent(ratio(1, 0))).toBe('-');
  });

  test('EXPLAIN buffers: hit + read, execution and planning apart, missing counters as 0', () => {
    expect(
      explainBuffers({
        Plan: { 'Shared Hit Blocks': 10, 'Shared Read Blocks': 2 },
        Planning: { 'Shared Hit Blocks': 151 },
        'Execution Time': 1,
      })
    ).toEqual({ execution: 12, planning: 151 });
    expect(explainBuffers({ Plan: {}, 'Execution Time': 1 })).toEqual({ execution: 0, planning: 0 });
  });

  test('write path: medians per setting over the rounds, the extra µs per line and the overhead against no triggers', () => {
    const s = summarizeRounds([
      { first: 'off', offUsPerLine: 100, onUsPerLine: 104 },
      { first: 'on', offUsPerLine: 90, onUsPerLine: 99 },
      { first: 'off', offUsPerLine: 400, onUsPerLine: 110 }, // a noisy round moves neither median
    ]);
    expect(s).toEqual({ offUsPerLine: 100, onUsPerLine: 104, extraUsPerLine: 4, overheadPct: 4 });
  });

  test("the extra per line is the median of each round's own difference: drift between rounds cancels", () => {
    const s = summarizeRounds([
      { first: 'off', offUsPerLine: 100, onUsPerLine: 104 },
      { first: 'on', offUsPerLine: 200, onUsPerLine: 204 }, // the machine got slower for a while
      { first: 'off', offUsPerLine: 150, onUsPerLine: 300 }, // and one noisy pass
    ]);
    // The medians of each setting alone (150 and 204) would say 54 µs.
    expect(s).toEqual({ offUsPerLine: 150, onUsPerLine: 204, extraUsPerLine: 4, overheadPct: (4 / 150) * 100 });
  });
});

describe('bench receipts', () => {
  const receipt = (n: number, lines: number): Receipt => ({
    receiptNumber: `R-${n}`,
    lines: Array.from({ length: lines }, () => LINE_COLUMNS.map((c) => (c === 'receipt_number' ? `R-${n}` : null))),
  });

  test('the batch takes whole receipts until their lines reach the wanted count', () => {
    const receipts = [receipt(1, 2), receipt(2, 3), receipt(3, 1), receipt(4, 4)];
    expect(receiptsForLines(receipts, 4).map((r) => r.receiptNumber)).toEqual(['R-1', 'R-2']);
    expect(receiptsForLines(receipts, 1).map((r) => r.receiptNumber)).toEqual(['R-1']);
    expect(receiptsForLines(receipts, 100)).toHaveLength(4);
  });

  test('a receipt is one INSERT of all its lines, one placeholder per value', () => {
    const q = receiptInsert(receipt(1, 3));
    expect(q.text.match(/^INSERT INTO pos\.lengolf_sales \(date, sales_timestamp, receipt_number/)).not.toBeNull();
    expect(q.text.match(/\),\s*\(/g)).toHaveLength(2);
    expect(q.values).toHaveLength(3 * LINE_COLUMNS.length);
    expect(q.text).toContain(`$${3 * LINE_COLUMNS.length})`);
    expect(q.text).not.toContain(`$${3 * LINE_COLUMNS.length + 1}`);
  });
});

describe('bench report sections', () => {
  const m = { runs: 3, medianMs: 2, p95Ms: 3, sharedBuffers: 10 };
  const view = (name: string, refreshType: string | null, keyCount: number | null, durationMs = 5): ViewRefresh => ({
    view: name,
    status: 'succeeded',
    durationMs,
    refreshType,
    keyCount,
  });
  const refresh = (trigger: 'schedule' | 'manual', wallMs: number, views: ViewRefresh[]): RefreshMeasurement => ({
    trigger,
    runId: 1,
    wallMs,
    views,
  });
  const scale = (n: number, scheduledMs: number, fullMs: number): ScaleResult => ({
    scale: n,
    sourceRows: { 'pos.lengolf_sales': 1000 * n },
    seedSeconds: 1,
    refreshMs: 50,
    refreshByView: { v: 50 },
    scenarios: [
      {
        name: 'dash',
        mv: m,
        live: { ...m, medianMs: 200 },
        mvFresh: { ...m, totalBuffers: 420, p95TotalBuffers: 480, planningBuffers: 7 },
      },
    ],
    incremental: {
      day: '2026-12-01',
      averageDayLines: 30 * n,
      batchReceipts: 2,
      batchLines: 3 * n,
      corrections: [{ what: 'a line voided', id: 7, date: '2026-05-15' }],
      scheduled: refresh('schedule', scheduledMs, [
        view('pos.a', 'incremental', 2, 1.5),
        view('pos.b', 'incremental', 61),
        view('pos.c', 'full', null),
      ]),
      full: refresh('manual', fullMs, [
        view('pos.a', 'full', null, 40),
        view('pos.b', 'full', null),
        view('pos.c', 'full', null),
      ]),
      ratio: ratio(scheduledMs, fullMs),
      rounds: [
        { batchReceipts: 2, batchLines: 3 * n, scheduledMs, fullMs, ratio: ratio(scheduledMs, fullMs) },
        {
          batchReceipts: 2,
          batchLines: 3 * n,
          scheduledMs: scheduledMs * 3,
          fullMs,
          ratio: ratio(scheduledMs * 3, fullMs),
        },
      ],
    },
    writePath: [
      {
        shape: 'single-line receipts',
        commits: 'fsync on, synchronous_commit on, full_page_writes on',
        receipts: 100,
        lines: 100,
        triggers: ['mv_ops_track_changes', 'mv_ops_track_keys_insert'],
        rounds: [{ first: 'off', offUsPerLine: 400, onUsPerLine: 430 }],
        offUsPerLine: 400,
        onUsPerLine: 430,
        extraUsPerLine: 30,
        overheadPct: 7.5,
      },
    ],
  });
  const run: BenchRun = {
    pack: 'sales',
    startedAt: '2026-12-01T00:00:00Z',
    postgres: 'PostgreSQL 15',
    machine: '2 cores',
    scales: [scale(1, 120, 1000), scale(100, 1234, 123456)],
  };
  const lines = toMarkdown(run).split('\n');

  test('how a refresh ran, per kind, with its key counts as logged', () => {
    expect(refreshKinds(run.scales[0].incremental!.scheduled.views)).toBe('incremental ×2 (2–61 keys), full ×1');
    expect(refreshKinds([view('pos.a', 'incremental', 0)])).toBe('incremental ×1 (0 keys)');
    expect(refreshKinds([view('pos.a', null, null), view('pos.b', null, null)])).toBe('not logged ×2');
    expect(refreshKinds([{ ...view('pos.a', null, null), status: 'skipped' }])).toBe('skipped ×1');
  });

  test("the incremental refresh table: scale, source rows, batch lines, both times, their ratio, every round's and the kinds", () => {
    expect(lines.map(cells)).toContainEqual([
      '',
      '100',
      '100,000',
      '300',
      '1,234',
      '123,456',
      '1.00 %',
      '1.00 %, 3.00 %',
      'incremental ×2 (2–61 keys), full ×1',
      '',
    ]);
    expect(lines.map(cells)).toContainEqual([
      '',
      '1',
      '1,000',
      '3',
      '120',
      '1,000',
      '12.00 %',
      '12.00 %, 36.00 %',
      expect.any(String),
      '',
    ]);
    // Per view: the batch refresh's kind and time next to the full refresh's.
    expect(lines.map(cells)).toContainEqual(['', '1', 'pos.a', 'incremental (2 keys)', '1.5', '40.0', '']);
    expect(lines.map(cells)).toContainEqual(['', '1', 'pos.c', 'full', '5.0', '5.0', '']);
  });

  test('the write path table: the commit settings, µs per line without and with the triggers, the extra and the overhead', () => {
    expect(lines.map(cells)).toContainEqual([
      '',
      '100',
      'single-line receipts',
      'fsync on, synchronous_commit on, full_page_writes on',
      '1.0',
      '100 × 1',
      '400.0',
      '430.0',
      '30.0',
      '7.5 %',
      '',
    ]);
    expect(lines.join('\n')).toContain('`mv_ops_track_changes`, `mv_ops_track_keys_insert` (scale 1, 100)');
  });

  test('the new-session table: warm buffers next to a new session’s (planning + execution)', () => {
    expect(lines.map(cells)).toContainEqual(['', '1', 'dash', '10', '420', '7', '480', '2.00', '3', '']);
  });

  test('a report without the new measurements (the funeral pack) has none of their sections', () => {
    const plain = toMarkdown({
      ...run,
      scales: run.scales.map(({ incremental, writePath, ...s }) => ({
        ...s,
        scenarios: s.scenarios.map(({ mvFresh, ...r }) => r),
      })),
    });
    expect(plain).not.toContain('####');
  });

  test('the whole report is laid out as Prettier wants, so npm run check passes on a fresh report', () => {
    const result = spawnSync(process.execPath, [PRETTIER, '--check', '--stdin-filepath', 'bench/results/x.md'], {
      cwd: REPO_ROOT,
      input: lines.join('\n'),
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
