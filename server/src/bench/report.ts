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

export function toMarkdown(run: BenchRun): string {
  const lines = [
    `### ${run.pack} pack benchmark (${run.startedAt.slice(0, 10)})`,
    '',
    `${run.postgres}; ${run.machine}. Times are server-side execution times from EXPLAIN ANALYZE; buffers are shared buffers (hit + read) per call, median.`,
    '',
    '| scale | source rows | scenario | MV median ms | MV p95 ms | MV buffers | live median ms | live p95 ms | live buffers | live/MV time |',
    '|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const s of run.scales) {
    const rows = Object.values(s.sourceRows).reduce((a, b) => a + b, 0);
    for (const r of s.scenarios) {
      lines.push(
        `| ${s.scale} | ${rows.toLocaleString('en-US')} | ${r.name} | ${fmt(r.mv.medianMs, 2)} | ${fmt(r.mv.p95Ms, 2)} | ` +
          `${r.mv.sharedBuffers.toLocaleString('en-US')} | ${fmt(r.live.medianMs)} | ${fmt(r.live.p95Ms)} | ` +
          `${r.live.sharedBuffers.toLocaleString('en-US')} | ${fmt(r.live.medianMs / r.mv.medianMs, 0)}× |`
      );
    }
  }
  lines.push('', '| scale | full refresh of all views (ms) | slowest view |', '|---:|---:|---|');
  for (const s of run.scales) {
    const [slowest, ms] = Object.entries(s.refreshByView).sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
    lines.push(`| ${s.scale} | ${fmt(s.refreshMs, 0)} | ${slowest} (${fmt(ms, 0)} ms) |`);
  }
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
