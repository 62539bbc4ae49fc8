// Reads of status, history and run progress: only what mv_ops_reader may see, shaped as JSON.
import type { ClientBase, Pool } from 'pg';

type Queryable = Pool | ClientBase;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : null);

/** How a refresh recomputes: everything (full) or only the changed keys (incremental). */
export type RefreshType = 'full' | 'incremental';
// Anything else (a newer engine's value) is shown as unknown rather than mislabelled.
const refreshType = (v: unknown): RefreshType | null => (v === 'full' || v === 'incremental' ? v : null);

export interface ViewStatus {
  view: string;
  pack: string;
  description: string;
  state: string;
  enabled: boolean;
  lagSeconds: number | null;
  warnAfterSeconds: number | null;
  errorAfterSeconds: number | null;
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  lastAttemptStatus: string | null;
  lastError: string | null;
  lastDurationMs: number | null;
  typicalDurationMs: number | null;
  rows: number | null;
  sizeBytes: number | null;
  schedule: string;
  due: boolean;
  dueReason: string | null;
  /** incremental: a keyed aggregate, refreshed for the keys (business dates) that changed; full otherwise. */
  refreshMode: RefreshType;
  /** The pack's report functions read the current day live: today is never stale; state and lag describe the stored rows. */
  zeroLag: boolean;
  /** The last successful refresh: full, incremental, or null (none yet, or logged before refresh types were). */
  lastRefreshType: RefreshType | null;
  /** Keys the last successful refresh recomputed when it was incremental; null for a full one. */
  lastKeyCount: number | null;
}

export async function listViews(db: Queryable): Promise<ViewStatus[]> {
  const { rows } = await db.query(`SELECT * FROM mv_ops.freshness ORDER BY view_name`);
  return rows.map((r) => ({
    view: r.view_name,
    pack: r.pack,
    description: r.description,
    state: r.state,
    enabled: r.enabled,
    lagSeconds: num(r.lag_seconds),
    warnAfterSeconds: num(r.warn_after_seconds),
    errorAfterSeconds: num(r.error_after_seconds),
    lastSuccessAt: iso(r.last_success_at),
    lastAttemptAt: iso(r.last_attempt_at),
    lastAttemptStatus: r.last_attempt_status,
    lastError: r.last_error,
    lastDurationMs: num(r.last_duration_ms),
    typicalDurationMs: num(r.typical_duration_ms),
    rows: num(r.row_estimate),
    sizeBytes: num(r.size_bytes),
    schedule: r.schedule,
    due: Boolean(r.due),
    dueReason: r.due_reason,
    refreshMode: r.refresh_mode === 'incremental' ? 'incremental' : 'full',
    zeroLag: r.zero_lag === true,
    lastRefreshType: refreshType(r.last_refresh_type),
    lastKeyCount: num(r.last_key_count),
  }));
}

export interface Attempt {
  logId: number;
  runId: number;
  view: string;
  trigger: string;
  requestedBy: string | null;
  status: string;
  concurrently: boolean | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  rows: number | null;
  sqlstate: string | null;
  message: string | null;
  /** full or incremental once the attempt has started; null before (queued, skipped) and for older log rows. */
  refreshType: RefreshType | null;
  /** Incremental attempts: how many changed keys (business dates) were recomputed; null for a full one. */
  keyCount: number | null;
}

const attempt = (r: Record<string, unknown>): Attempt => ({
  logId: Number(r.log_id),
  runId: Number(r.run_id),
  view: String(r.view_name),
  trigger: String(r.trigger),
  requestedBy: (r.requested_by as string | null) ?? null,
  status: String(r.status),
  concurrently: (r.refreshed_concurrently as boolean | null) ?? null,
  startedAt: iso(r.started_at),
  finishedAt: iso(r.finished_at),
  durationMs: num(r.duration_ms),
  rows: num(r.rows_after),
  sqlstate: (r.sqlstate as string | null) ?? null,
  message: (r.message as string | null) ?? null,
  refreshType: refreshType(r.refresh_type),
  keyCount: num(r.key_count),
});

/** The registered name for `name` (schema.view, or a bare view name when unique), or undefined. */
export async function resolveViewName(db: Queryable, name: string): Promise<string | undefined> {
  const { rows } = await db.query<{ view_name: string }>(
    `SELECT view_name FROM mv_ops.freshness
     WHERE view_name = $1 OR (position('.' IN $1) = 0 AND split_part(view_name, '.', 2) = $1)`,
    [name]
  );
  return rows.length === 1 ? rows[0].view_name : undefined;
}

export interface HistoryPage {
  history: Attempt[];
  /** Pass as `before` for the next (older) page; null when this page reaches the oldest attempt. */
  nextBefore: number | null;
}

export async function viewHistory(
  db: Queryable,
  view: string,
  limit: number,
  before: number | null = null
): Promise<HistoryPage> {
  // Keyset paging on log_id: pages stay stable while new attempts are logged, unlike OFFSET.
  // One row beyond the limit says whether an older page exists without a second query.
  const { rows } = await db.query(
    `SELECT * FROM mv_ops.refresh_history
     WHERE view_name = $1 AND ($2::bigint IS NULL OR log_id < $2::bigint)
     ORDER BY log_id DESC LIMIT $3`,
    [view, before, limit + 1]
  );
  const history = rows.slice(0, limit).map(attempt);
  return { history, nextBefore: rows.length > limit ? history[history.length - 1].logId : null };
}

export interface RunStatus {
  runId: number;
  trigger: string;
  requestedBy: string | null;
  requested: string[];
  cascade: boolean;
  status: string;
  createdAt: string | null;
  finishedAt: string | null;
  counts: Record<string, number>;
  steps: Attempt[];
}

export async function runStatus(db: Queryable, runId: number): Promise<RunStatus | undefined> {
  const run = await db.query(
    `SELECT run_id, trigger, requested_by, requested, cascade, status, created_at, finished_at
     FROM mv_ops.refresh_run WHERE run_id = $1`,
    [runId]
  );
  if (run.rowCount === 0) {
    return undefined;
  }
  const r = run.rows[0];
  const steps = (
    await db.query(`SELECT * FROM mv_ops.refresh_history WHERE run_id = $1 ORDER BY log_id`, [runId])
  ).rows.map(attempt);
  const counts: Record<string, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, skipped: 0 };
  for (const s of steps) {
    counts[s.status] = (counts[s.status] ?? 0) + 1;
  }
  return {
    runId: Number(r.run_id),
    trigger: r.trigger,
    requestedBy: r.requested_by,
    requested: r.requested,
    cascade: r.cascade,
    status: r.status,
    createdAt: iso(r.created_at),
    finishedAt: iso(r.finished_at),
    counts,
    steps,
  };
}
