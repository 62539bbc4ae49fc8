// Asking the engine for a run. The decision (join, reuse, refuse, start) is one SQL function under a
// database-wide lock, so it holds across concurrent requests and across service instances.
import type { ClientBase, QueryConfig } from 'pg';

export interface RefreshRequest {
  views?: string[];
  pack?: string;
  cascade: boolean;
  trigger: 'api' | 'manual';
  requestedBy: string;
  idempotencyKey?: string;
  minIntervalSeconds: number;
  maxRunning: number;
}

export type Outcome = 'started' | 'joined' | 'recent' | 'idempotent' | 'too_soon' | 'busy' | 'key_reused';

interface DecisionRow {
  run_id: string | null;
  outcome: Outcome;
  retry_after_seconds: number | null;
  detail: string | null;
}

export interface RefreshDecision {
  runId: number | null;
  outcome: Outcome;
  retryAfterSeconds: number | null;
  detail: string | null;
}

/**
 * Runs the decision on `client`. When the outcome is 'started' the run is claimed by this client's
 * session, which must then execute it (driveRun) or end, so that the engine can mark it abandoned.
 */
export async function requestRefresh(
  client: ClientBase,
  r: RefreshRequest,
  timeoutMs?: number
): Promise<RefreshDecision> {
  // pg honours query_timeout per query; its types only know it as a client option.
  const query: QueryConfig & { query_timeout?: number } = {
    text: `SELECT run_id, outcome, retry_after_seconds, detail
     FROM mv_ops.request_refresh($1::text[], $2, $3, $4, $5, $6, make_interval(secs => $7), $8)`,
    // Client-side bound: a database that stops answering must not hold the HTTP request forever.
    query_timeout: timeoutMs,
    values: [
      r.views ?? null,
      r.pack ?? null,
      r.cascade,
      r.trigger,
      r.requestedBy,
      r.idempotencyKey ?? null,
      r.minIntervalSeconds,
      r.maxRunning,
    ],
  };
  const { rows } = await client.query<DecisionRow>(query);
  const row = rows[0];
  return {
    runId: row.run_id === null ? null : Number(row.run_id),
    outcome: row.outcome,
    retryAfterSeconds: row.retry_after_seconds,
    detail: row.detail,
  };
}
