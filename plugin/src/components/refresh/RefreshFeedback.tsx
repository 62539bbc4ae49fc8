// What the refresh flow has to say: the service's outcome, progress while the run goes on, the result.
import React from 'react';
import { Alert } from '@grafana/ui';
import type { RefreshOutcome, RunStatus } from '../../api/types';
import type { RefreshPhase } from '../../refresh/useRefreshRun';
import { describeRefreshError } from '../../refresh/describeError';
import { testIds } from '../../testIds';
import { RunProgress } from './RunProgress';

const OUTCOMES: Record<RefreshOutcome, (runId: number) => string> = {
  started: (id) => `Refresh started (run ${id}).`,
  joined: (id) => `These views are already being refreshed: following run ${id}.`,
  recent: (id) => `These views were refreshed on request moments ago: showing run ${id}.`,
  idempotent: (id) => `This request was already accepted: following run ${id}.`,
};

function summary(run: RunStatus): string {
  const c = run.counts;
  const parts = [
    c.succeeded ? `${c.succeeded} succeeded` : undefined,
    c.failed ? `${c.failed} failed` : undefined,
    c.skipped ? `${c.skipped} skipped` : undefined,
  ].filter(Boolean);
  return parts.join(', ') || 'nothing to refresh';
}

export function RefreshFeedback({ phase, onDismiss }: { phase: RefreshPhase; onDismiss: () => void }) {
  switch (phase.kind) {
    case 'failed': {
      const p = describeRefreshError(phase.error);
      return (
        <Alert severity="error" title={p.title} onRemove={onDismiss} data-testid={testIds.refresh.error}>
          {p.detail}
        </Alert>
      );
    }
    case 'following':
      return (
        <div>
          <div data-testid={testIds.refresh.outcome}>
            {phase.outcome ? OUTCOMES[phase.outcome](phase.runId) : `Following run ${phase.runId}…`}
          </div>
          {phase.pollError && (
            <Alert severity="warning" title="Lost contact with the refresh service; still trying">
              {phase.pollError.message} The refresh itself goes on on the server.
            </Alert>
          )}
          {phase.run && <RunProgress run={phase.run} now={phase.polledAt ?? 0} />}
        </div>
      );
    case 'finished': {
      const ok = phase.run.status === 'succeeded';
      return (
        <Alert
          severity={ok ? 'success' : 'error'}
          title={ok ? `Refreshed (run ${phase.run.runId})` : `Refresh failed (run ${phase.run.runId})`}
          onRemove={onDismiss}
          data-testid={testIds.refresh.result}
        >
          <div data-testid={testIds.refresh.outcome}>
            {phase.outcome ? OUTCOMES[phase.outcome](phase.run.runId) : null} {summary(phase.run)}.
          </div>
          <RunProgress run={phase.run} now={0} />
        </Alert>
      );
    }
    default:
      return null;
  }
}
