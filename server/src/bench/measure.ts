// Runs one query repeatedly under EXPLAIN (ANALYZE, BUFFERS): server-side execution time and the
// shared buffers it touched (including what functions it calls read), as the seed measured them.
import type { Client } from 'pg';

export interface Measurement {
  runs: number;
  medianMs: number;
  p95Ms: number;
  /** Shared buffers (hit + read) per call, median over the runs. */
  sharedBuffers: number;
}

interface PlanNode {
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** At least minRuns, at most maxRuns, stopping early once budgetMs of measured time is spent. */
export async function measure(
  c: Client,
  sql: string,
  minRuns = 3,
  maxRuns = 25,
  budgetMs = 20_000
): Promise<Measurement> {
  await c.query(sql); // warm the cache and the plan
  const times: number[] = [];
  const buffers: number[] = [];
  let spent = 0;
  while (times.length < maxRuns && (times.length < minRuns || spent < budgetMs)) {
    const { rows } = await c.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`);
    const result = rows[0]['QUERY PLAN'][0] as { Plan: PlanNode; 'Execution Time': number };
    times.push(result['Execution Time']);
    buffers.push((result.Plan['Shared Hit Blocks'] ?? 0) + (result.Plan['Shared Read Blocks'] ?? 0));
    spent += result['Execution Time'];
  }
  const sortedTimes = [...times].sort((a, b) => a - b);
  const sortedBuffers = [...buffers].sort((a, b) => a - b);
  return {
    runs: times.length,
    medianMs: percentile(sortedTimes, 50),
    p95Ms: percentile(sortedTimes, 95),
    sharedBuffers: percentile(sortedBuffers, 50),
  };
}
