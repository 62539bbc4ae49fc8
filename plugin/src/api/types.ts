// What the refresh service answers, as its route schemas (server/src/routes/schemas.ts) declare it.

/** Freshness states of mv_ops.freshness. */
export type ViewState = 'fresh' | 'warn' | 'stale' | 'failing' | 'never_refreshed' | 'paused';

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
