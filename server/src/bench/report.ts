// Writes a benchmark run as JSON (for tools) and Markdown (for the README).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FreshMeasurement, Measurement } from './measure';

export interface ScenarioResult {
  name: string;
  mv: Measurement;
  live: Measurement;
  /** The view path as the first call of new sessions (scenarios marked freshSession). */
  mvFresh?: FreshMeasurement;
}

/** One view's attempt in a refresh run, from mv_ops.refresh_log. */
export interface ViewRefresh {
  view: string;
  status: string;
  durationMs: number | null;
  /** full | incremental as the engine logged it; null when it logs none (before migration 0099's modes are set). */
  refreshType: string | null;
  /** Incremental refreshes: the number of changed keys (business dates) recomputed. */
  keyCount: number | null;
}

export interface RefreshMeasurement {
  trigger: 'schedule' | 'manual';
  runId: number;
  /** Wall time of the CALL mv_ops.refresh(...), as its caller waits for it. */
  wallMs: number;
  views: ViewRefresh[];
}

export interface Correction {
  what: string;
  id: number;
  date: string;
}

/** A 15-minute batch of POS writes, then the scheduled refresh that brings every view up to date, and a full one. */
export interface IncrementalResult {
  /** The business date the batch's receipts were rung up on (today in the venue's time zone). */
  day: string;
  /** Line items per day with sales in the seeded data; the batch is about 1/96 of it. */
  averageDayLines: number;
  batchReceipts: number;
  batchLines: number;
  corrections: Correction[];
  scheduled: RefreshMeasurement;
  full: RefreshMeasurement;
  /** scheduled.wallMs / full.wallMs. */
  ratio: number;
  /** Every round measured, in order; the fields above are the round with the median ratio. */
  rounds: BatchRound[];
}

/** One round of the batch: its full refresh, then its batch and the scheduled refresh (wall ms) and their ratio. */
export interface BatchRound {
  batchReceipts: number;
  batchLines: number;
  scheduledMs: number;
  fullMs: number;
  ratio: number;
}

/** One round of the write path: the same receipts inserted with the mv_ops triggers disabled and enabled. */
export interface WritePathRound {
  first: 'off' | 'on';
  offUsPerLine: number;
  onUsPerLine: number;
}

export interface WritePathResult {
  shape: string;
  /** The commit settings it was measured under: "fsync off, synchronous_commit off, full_page_writes off". */
  commits: string;
  /** Receipts (one INSERT each, its own transaction) per round and setting, and their lines. */
  receipts: number;
  lines: number;
  /** The triggers on pos.lengolf_sales disabled for the "off" inserts. */
  triggers: string[];
  rounds: WritePathRound[];
  /** Medians over the rounds of each setting's µs per line. */
  offUsPerLine: number;
  onUsPerLine: number;
  /** The median over the rounds of each round's on − off. */
  extraUsPerLine: number;
  overheadPct: number;
}

export interface ScaleResult {
  scale: number;
  sourceRows: Record<string, number>;
  seedSeconds: number;
  /** Full refresh of every view of the pack, from the mv_ops refresh log. */
  refreshMs: number;
  refreshByView: Record<string, number>;
  scenarios: ScenarioResult[];
  incremental?: IncrementalResult;
  writePath?: WritePathResult[];
}

export interface BenchRun {
  pack: string;
  startedAt: string;
  postgres: string;
  machine: string;
  scales: ScaleResult[];
}

const fmt = (n: number, digits = 1): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '-';

/** a / b, NaN when b is not a positive number (nothing to compare with). */
export const ratio = (a: number, b: number): number => (b > 0 ? a / b : NaN);

/** A ratio as a percentage: 0.0042 -> "0.42 %". */
export const percent = (r: number, digits = 2): string => (Number.isFinite(r) ? `${fmt(r * 100, digits)} %` : '-');

/** How the views of a refresh were refreshed: "full ×9", "incremental ×7 (2 keys), full ×2", "not logged ×9". */
export function refreshKinds(views: ViewRefresh[]): string {
  const kinds = new Map<string, ViewRefresh[]>();
  for (const v of views) {
    const kind = v.status !== 'succeeded' ? v.status : (v.refreshType ?? 'not logged');
    kinds.set(kind, [...(kinds.get(kind) ?? []), v]);
  }
  return [...kinds.entries()]
    .map(([kind, vs]) => {
      const keys = vs.map((v) => v.keyCount).filter((k): k is number => k !== null);
      const [lo, hi] = [Math.min(...keys), Math.max(...keys)];
      const range = keys.length === 0 ? '' : lo === hi ? ` (${lo} keys)` : ` (${lo}–${hi} keys)`;
      return `${kind} ×${vs.length}${range}`;
    })
    .join(', ');
}

type Align = 'left' | 'right';

/**
 * A Markdown table laid out as Prettier lays it out (cells padded to the column, numbers right-aligned),
 * so a report written by the benchmark passes `npm run check` without being reformatted.
 */
export function markdownTable(columns: Array<[string, Align]>, rows: string[][]): string[] {
  const widths = columns.map(([title], i) => Math.max(3, title.length, ...rows.map((r) => r[i].length)));
  const cell = (text: string, i: number) =>
    columns[i][1] === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i]);
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = widths.map((w, i) => (columns[i][1] === 'right' ? '-'.repeat(w - 1) + ':' : '-'.repeat(w)));
  return [line(columns.map(([title]) => title)), `| ${rule.join(' | ')} |`, ...rows.map(line)];
}

const totalRows = (s: ScaleResult): number => Object.values(s.sourceRows).reduce((a, b) => a + b, 0);
const count = (n: number): string => n.toLocaleString('en-US');
const scalesOf = (scales: ScaleResult[]): string => scales.map((s) => s.scale).join(', ');

function freshSection(run: BenchRun): string[] {
  const rows = run.scales.flatMap((s) =>
    s.scenarios
      .filter((r) => r.mvFresh)
      .map((r) => [
        String(s.scale),
        r.name,
        count(r.mv.sharedBuffers),
        count(r.mvFresh!.totalBuffers),
        count(r.mvFresh!.planningBuffers),
        count(r.mvFresh!.p95TotalBuffers),
        fmt(r.mvFresh!.medianMs, 2),
        String(r.mvFresh!.runs),
      ])
  );
  if (rows.length === 0) {
    return [];
  }
  return [
    '',
    '#### View path in a new session',
    '',
    'Warm: the MV buffers above (execution, same session). New session: the first call of a new connection, one per sample, shared buffers (hit + read) of planning and execution from EXPLAIN (ANALYZE, BUFFERS), median and p95; ms is planning + execution.',
    '',
    ...markdownTable(
      [
        ['scale', 'right'],
        ['scenario', 'left'],
        ['warm buffers', 'right'],
        ['new-session buffers', 'right'],
        ['of which planning', 'right'],
        ['new-session p95', 'right'],
        ['new-session ms', 'right'],
        ['sessions', 'right'],
      ],
      rows
    ),
  ];
}

function incrementalSection(run: BenchRun): string[] {
  const scales = run.scales.filter((s) => s.incremental);
  if (scales.length === 0) {
    return [];
  }
  const summary = scales.map((s) => {
    const inc = s.incremental!;
    return [
      String(s.scale),
      count(totalRows(s)),
      count(inc.batchLines),
      fmt(inc.scheduled.wallMs, 0),
      fmt(inc.full.wallMs, 0),
      percent(inc.ratio),
      inc.rounds.map((r) => percent(r.ratio)).join(', '),
      refreshKinds(inc.scheduled.views),
    ];
  });
  const perView = scales.flatMap((s) => {
    const inc = s.incremental!;
    const full = new Map(inc.full.views.map((v) => [v.view, v]));
    return inc.scheduled.views.map((v) => [
      String(s.scale),
      v.view,
      refreshKinds([v]).replace(/ ×1\b/, ''),
      fmt(v.durationMs ?? NaN, 1),
      fmt(full.get(v.view)?.durationMs ?? NaN, 1),
    ]);
  });
  const first = scales[0].incremental!;
  return [
    '',
    '#### Incremental refresh',
    '',
    `In each of ${first.rounds.length} rounds on the same data (each adds its batch to it): a full refresh, then a 15-minute batch: new receipts for today in the venue's time zone (${first.day}), about 1/96 of an average day's line items, one INSERT per receipt, plus ${first.corrections.length} corrections of lines 200 days back (${first.corrections.map((c) => c.what).join('; ')}), each its own transaction. Batch refresh: \`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')\`; full refresh: the same with \`trigger => 'manual'\`, at the start of the round (before the batch's writes). Both are the CALL's wall time. The tables show the round with the median ratio (every round's ratio next to it); the kinds are mv_ops.refresh_log's refresh_type (and key_count) of its batch refresh's views.`,
    '',
    ...markdownTable(
      [
        ['scale', 'right'],
        ['source rows', 'right'],
        ['batch lines', 'right'],
        ['batch refresh ms', 'right'],
        ['full refresh ms', 'right'],
        ['ratio (batch / full)', 'right'],
        ['every round', 'right'],
        ['batch refresh kinds', 'left'],
      ],
      summary
    ),
    '',
    ...markdownTable(
      [
        ['scale', 'right'],
        ['view', 'left'],
        ['batch refresh', 'left'],
        ['batch ms', 'right'],
        ['full ms', 'right'],
      ],
      perView
    ),
  ];
}

function writePathSection(run: BenchRun): string[] {
  const scales = run.scales.filter((s) => s.writePath && s.writePath.length > 0);
  if (scales.length === 0) {
    return [];
  }
  const rows = scales.flatMap((s) =>
    s.writePath!.map((w) => [
      String(s.scale),
      w.shape,
      w.commits,
      fmt(w.lines / w.receipts, 1),
      `${w.receipts} × ${w.rounds.length}`,
      fmt(w.offUsPerLine, 1),
      fmt(w.onUsPerLine, 1),
      fmt(w.extraUsPerLine, 1),
      `${fmt(w.overheadPct, 1)} %`,
    ])
  );
  // Which triggers were switched off, per set of scales that had the same ones.
  const byTriggers = new Map<string, ScaleResult[]>();
  for (const s of scales) {
    const names = s.writePath![0].triggers.map((t) => `\`${t}\``).join(', ');
    byTriggers.set(names, [...(byTriggers.get(names) ?? []), s]);
  }
  const triggers = [...byTriggers.entries()].map(([names, ss]) => `${names} (scale ${scalesOf(ss)})`).join('; ');
  return [
    '',
    '#### Write path',
    '',
    `The same receipts inserted as the POS does (one INSERT of a receipt's lines, its own transaction; client-side wall time per line), with the mv_ops triggers on \`pos.lengolf_sales\` disabled (\`ALTER TABLE ... DISABLE TRIGGER\`: ${triggers}) and enabled, alternating which goes first, the rows deleted after each pass. Medians over the rounds; the extra per line is the median of each round's own difference. Late single-line receipts are dated yesterday (a till syncing after midnight), the inserts the key journal still records. Commits: the server's own settings first (the throwaway cluster runs with fsync off, which makes a commit far cheaper than on a POS server, so the triggers' share is at its largest), then durable commits (fsync, full_page_writes and synchronous_commit on), what a production server pays.`,
    '',
    ...markdownTable(
      [
        ['scale', 'right'],
        ['receipts', 'left'],
        ['commits', 'left'],
        ['lines per receipt', 'right'],
        ['receipts × rounds', 'right'],
        ['without triggers µs/line', 'right'],
        ['with triggers µs/line', 'right'],
        ['extra µs/line', 'right'],
        ['overhead', 'right'],
      ],
      rows
    ),
  ];
}

export function toMarkdown(run: BenchRun): string {
  const scenarioRows = run.scales.flatMap((s) => {
    const rows = totalRows(s);
    return s.scenarios.map((r) => [
      String(s.scale),
      rows.toLocaleString('en-US'),
      r.name,
      fmt(r.mv.medianMs, 2),
      fmt(r.mv.p95Ms, 2),
      r.mv.sharedBuffers.toLocaleString('en-US'),
      fmt(r.live.medianMs),
      fmt(r.live.p95Ms),
      r.live.sharedBuffers.toLocaleString('en-US'),
      `${fmt(r.live.medianMs / r.mv.medianMs, 0)}×`,
    ]);
  });
  const refreshRows = run.scales.map((s) => {
    const [slowest, ms] = Object.entries(s.refreshByView).sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
    return [String(s.scale), fmt(s.refreshMs, 0), `${slowest} (${fmt(ms, 0)} ms)`];
  });
  const lines = [
    `### ${run.pack} pack benchmark (${run.startedAt.slice(0, 10)})`,
    '',
    `${run.postgres}; ${run.machine}. Times are server-side execution times from EXPLAIN ANALYZE; buffers are shared buffers (hit + read) per call, median.`,
    '',
    ...markdownTable(
      [
        ['scale', 'right'],
        ['source rows', 'right'],
        ['scenario', 'left'],
        ['MV median ms', 'right'],
        ['MV p95 ms', 'right'],
        ['MV buffers', 'right'],
        ['live median ms', 'right'],
        ['live p95 ms', 'right'],
        ['live buffers', 'right'],
        ['live/MV time', 'right'],
      ],
      scenarioRows
    ),
    '',
    ...markdownTable(
      [
        ['scale', 'right'],
        ['full refresh of all views (ms)', 'right'],
        ['slowest view', 'left'],
      ],
      refreshRows
    ),
    ...freshSection(run),
    ...incrementalSection(run),
    ...writePathSection(run),
  ];
  return lines.join('\n') + '\n';
}

export function writeReport(dir: string, run: BenchRun): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${run.pack}.json`);
  const markdown = join(dir, `${run.pack}.md`);
  writeFileSync(json, JSON.stringify(run, null, 2) + '\n');
  writeFileSync(markdown, toMarkdown(run));
  return { json, markdown };
}
