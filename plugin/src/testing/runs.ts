// Run and attempt objects shaped as GET /api/runs/:id answers them, for UI tests.
import type { Attempt, RunStatus } from '../api/types';

let nextLogId = 1;

export function attempt(view: string, over: Partial<Attempt> = {}): Attempt {
  return {
    logId: nextLogId++,
    runId: 7,
    view,
    trigger: 'api',
    requestedBy: 'admin',
    status: 'queued',
    concurrently: null,
    startedAt: null,
    finishedAt: null,
    durationMs: null,
    rows: null,
    sqlstate: null,
    message: null,
    refreshType: null,
    keyCount: null,
    ...over,
  };
}

export function run(steps: Attempt[], over: Partial<RunStatus> = {}): RunStatus {
  const counts: Record<string, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, skipped: 0 };
  steps.forEach((s) => (counts[s.status] += 1));
  const open = counts.queued + counts.running > 0;
  return {
    runId: 7,
    trigger: 'api',
    requestedBy: 'admin',
    requested: steps.map((s) => s.view),
    cascade: true,
    status: open ? 'running' : counts.failed > 0 ? 'failed' : 'succeeded',
    createdAt: '2026-12-01T09:00:00.000Z',
    finishedAt: open ? null : '2026-12-01T09:00:05.000Z',
    counts,
    steps,
    ...over,
  };
}
