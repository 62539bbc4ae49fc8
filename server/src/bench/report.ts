// Writes a benchmark run as JSON (for tools) and Markdown (for the README).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Measurement } from './measure';

export interface ScenarioResult {
  name: string;
  mv: Measurement;
  live: Measurement;
}

export interface ScaleResult {
  scale: number;
  sourceRows: Record<string, number>;
  seedSeconds: number;
  /** Full refresh of every view of the pack, from the mv_ops refresh log. */
  refreshMs: number;
  refreshByView: Record<string, number>;
  scenarios: ScenarioResult[];
}

export interface BenchRun {
  pack: string;
  startedAt: string;
  postgres: string;
  machine: string;
  scales: ScaleResult[];
}

const fmt = (n: number, digits = 1): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

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

export function toMarkdown(run: BenchRun): string {
  const scenarioRows = run.scales.flatMap((s) => {
    const rows = Object.values(s.sourceRows).reduce((a, b) => a + b, 0);
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
