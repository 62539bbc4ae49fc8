// Runs one query repeatedly under EXPLAIN (ANALYZE, BUFFERS): server-side execution time and the
// shared buffers it touched (including what functions it calls read), as the seed measured them.
import { Client } from 'pg';

export interface Measurement {
  runs: number;
  medianMs: number;
  p95Ms: number;
  /** Shared buffers (hit + read) per call, median over the runs. */
  sharedBuffers: number;
}

/** The first call of a new session: its catalog caches are empty, so planning reads the catalogs too. */
export interface FreshMeasurement extends Measurement {
  /** Shared buffers (hit + read) of planning and execution, median over the sessions (sharedBuffers is execution only). */
  totalBuffers: number;
  /** The same, 95th percentile. */
  p95TotalBuffers: number;
  /** Planning's share of totalBuffers' median session: median of the planning buffers. */
  planningBuffers: number;
}

interface Buffers {
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
}

/** One EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) result; Planning is there with BUFFERS (PostgreSQL 13 and later). */
export interface ExplainResult {
  Plan: Buffers;
  Planning?: Buffers;
  'Planning Time'?: number;
  'Execution Time': number;
}

const hitAndRead = (b: Buffers | undefined): number =>
  (b?.['Shared Hit Blocks'] ?? 0) + (b?.['Shared Read Blocks'] ?? 0);

/** Shared buffers (hit + read) of an EXPLAIN result: execution, and planning. */
export const explainBuffers = (r: ExplainResult): { execution: number; planning: number } => ({
  execution: hitAndRead(r.Plan),
  planning: hitAndRead(r.Planning),
});

/** The p-th percentile (nearest rank) of numbers in any order; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) {
    return NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The median as the benchmark reports it: the lower middle value of an even count (a value that was measured). */
export const median = (values: number[]): number => percentile(values, 50);

async function explain(c: Client, sql: string): Promise<ExplainResult> {
  const { rows } = await c.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`);
  return rows[0]['QUERY PLAN'][0] as ExplainResult;
}

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
    const result = await explain(c, sql);
    times.push(result['Execution Time']);
    buffers.push(explainBuffers(result).execution);
    spent += result['Execution Time'];
  }
  return {
    runs: times.length,
    medianMs: percentile(times, 50),
    p95Ms: percentile(times, 95),
    sharedBuffers: percentile(buffers, 50),
  };
}

/**
 * The query as the first call of each of `sessions` new connections (connected, measured once, closed): what a
 * dashboard opened by a new session costs. Run it after measure() on the same query, so shared buffers already
 * hold what the query reads and only the session's own caches are cold. Times are planning plus execution.
 */
export async function measureFresh(url: string, sql: string, sessions = 10): Promise<FreshMeasurement> {
  const times: number[] = [];
  const execution: number[] = [];
  const planning: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < sessions; i++) {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      const result = await explain(c, sql);
      const b = explainBuffers(result);
      times.push((result['Planning Time'] ?? 0) + result['Execution Time']);
      execution.push(b.execution);
      planning.push(b.planning);
      total.push(b.execution + b.planning);
    } finally {
      await c.end();
    }
  }
  return {
    runs: times.length,
    medianMs: percentile(times, 50),
    p95Ms: percentile(times, 95),
    sharedBuffers: percentile(execution, 50),
    totalBuffers: percentile(total, 50),
    p95TotalBuffers: percentile(total, 95),
    planningBuffers: percentile(planning, 50),
  };
}
