// Per-view progress of one run, as GET /api/runs/:id reports it: queued, running with elapsed time,
// succeeded with its kind (full, incremental with its keys), duration and rows, failed with SQLSTATE and
// message, skipped with why.
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { Attempt, RunStatus } from '../../api/types';
import { formatCount, formatDuration } from '../../format/numbers';
import { refreshTypeText } from '../../format/refreshMode';
import { testIds } from '../../testIds';
import { AttemptBadge } from '../StateBadge/AttemptBadge';

function detail(step: Attempt, now: number): string {
  switch (step.status) {
    case 'queued':
      return 'waiting for its turn';
    case 'running':
      return step.startedAt ? `for ${formatDuration(now - Date.parse(step.startedAt))}` : 'starting';
    case 'succeeded':
      return [
        step.refreshType === null ? undefined : refreshTypeText(step.refreshType, step.keyCount),
        step.durationMs === null ? undefined : `in ${formatDuration(step.durationMs)}`,
        step.rows === null ? undefined : `${formatCount(step.rows)} rows`,
      ]
        .filter(Boolean)
        .join(', ');
    case 'failed':
      return [step.sqlstate, step.message].filter(Boolean).join(': ') || 'failed';
    case 'skipped':
      return step.message ?? 'skipped';
  }
}

/** `now`: when the run was read, so a running step's elapsed time matches that reading. */
export function RunProgress({ run, now }: { run: RunStatus; now: number }) {
  const styles = useStyles2(getStyles);
  return (
    <ul className={styles.list} data-testid={testIds.refresh.progress}>
      {run.steps.map((step) => (
        <li key={step.logId} className={styles.step} data-testid={testIds.refresh.step(step.view)}>
          <AttemptBadge status={step.status} />
          <span className={styles.view}>{step.view}</span>
          <span className={styles.detail}>{detail(step, now)}</span>
        </li>
      ))}
    </ul>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: theme.spacing(1, 0), padding: 0 }),
  step: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'baseline', padding: theme.spacing(0.25, 0) }),
  view: css({ fontFamily: theme.typography.fontFamilyMonospace }),
  detail: css({ color: theme.colors.text.secondary, overflowWrap: 'anywhere' }),
});
