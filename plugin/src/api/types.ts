// What the refresh service answers, as its route schemas (server/src/routes/schemas.ts) declare it.

/** Freshness states of mv_ops.freshness. */
export type ViewState = 'fresh' | 'warn' | 'stale' | 'failing' | 'never_refreshed' | 'paused';

/** How a refresh recomputes a view: everything (full) or only the keys that changed (incremental). */
export type RefreshType = 'full' | 'incremental';

export interface ViewStatus {
  view: string;
  pack: string;
  description: string;
  state: ViewState;
  enabled: boolean;
  lagSeconds: number | null;
  warnAfterSeconds: number | null;
  errorAfterSeconds: number | null;
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  lastAttemptStatus: string | null;
  /** "SQLSTATE: message" of the last failed attempt, as mv_ops.freshness shows it. */
  lastError: string | null;
  lastDurationMs: number | null;
  typicalDurationMs: number | null;
  rows: number | null;
  sizeBytes: number | null;
  schedule: string;
  due: boolean;
  dueReason: string | null;
  /** incremental: a keyed aggregate, scheduled refreshes recompute only the business dates that changed; full otherwise. */
  refreshMode: RefreshType;
  /**
   * The pack's report functions read the current day live, so today's figures are never behind; state and
   * lag describe the stored rows (earlier days).
   */
  zeroLag: boolean;
  /** The last successful refresh's type; null when none succeeded yet (or it predates refresh types). */
  lastRefreshType: RefreshType | null;
  /** Keys (business dates) the last successful refresh recomputed when it was incremental, else null. */
  lastKeyCount: number | null;
}

export type AttemptStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'skipped';

/** One row of mv_ops.refresh_history: an attempt to refresh one view in one run. */
export interface Attempt {
  logId: number;
  runId: number;
  view: string;
  trigger: string;
  requestedBy: string | null;
  status: AttemptStatus;
  concurrently: boolean | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  rows: number | null;
  sqlstate: string | null;
  message: string | null;
  /** full or incremental once the attempt started; null while queued, when skipped, and for older log rows. */
  refreshType: RefreshType | null;
  /** Incremental attempts: how many changed keys (business dates) were recomputed; null for a full one. */
  keyCount: number | null;
}

export interface ViewHistory {
  view: string;
  history: Attempt[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null;
}

export type RunState = 'running' | 'succeeded' | 'failed';

export interface RunStatus {
  runId: number;
  trigger: string;
  requestedBy: string | null;
  requested: string[];
  cascade: boolean;
  status: RunState;
  createdAt: string | null;
  finishedAt: string | null;
  counts: Partial<Record<AttemptStatus, number>>;
  steps: Attempt[];
}

export interface RefreshRequest {
  views?: string[];
  pack?: string;
  cascade?: boolean;
}

/** started: a new run; joined: a run already covering it; recent/idempotent: a run answered earlier. */
export type RefreshOutcome = 'started' | 'joined' | 'recent' | 'idempotent';

export interface RefreshAccepted {
  runId: number;
  outcome: RefreshOutcome;
  statusUrl: string;
  requestedBy: string;
}

export interface AccessReport {
  power: 'read' | 'admin';
  canRefresh: boolean;
  identity: { user: string | null; verified: boolean; problem: { code: string; message: string } | null };
  requireVerifiedIdentity: boolean;
}

export interface ReadinessCheck {
  ok: boolean;
  detail: string;
}

export interface Readiness {
  status: 'ready' | 'not_ready';
  checks: { database: ReadinessCheck; migrations: ReadinessCheck; scheduler: ReadinessCheck };
}
