// One page of a view's refresh attempts, newest first.
import React from 'react';
import { cx } from '@emotion/css';
import { useStyles2 } from '@grafana/ui';
import type { Attempt } from '../../api/types';
import { AttemptBadge } from '../../components/StateBadge/AttemptBadge';
import { formatCount, formatDuration } from '../../format/numbers';
import { refreshTypeDescription, refreshTypeText } from '../../format/refreshMode';
import { formatAbsolute, formatRelative } from '../../format/time';
import { testIds } from '../../testIds';
import { ErrorText } from '../common/ErrorText';
import { getTableStyles } from '../common/tableStyles';
import { Requester } from './Requester';

// mv_ops.start_run's triggers, plus 'cascade' for the dependents a run refreshes on its own.
const TRIGGERS: Record<string, string> = {
  schedule: 'Schedule',
  manual: 'Manual (SQL)',
  api: 'API',
  cascade: 'Cascade',
};

function Message({ attempt }: { attempt: Attempt }) {
  const styles = useStyles2(getTableStyles);
  if (attempt.status === 'failed') {
    return <ErrorText sqlstate={attempt.sqlstate} message={attempt.message} />;
  }
  // Skipped attempts say why in `message`; that is information, not an error.
  return attempt.message ? <span className={styles.secondary}>{attempt.message}</span> : null;
}

export function HistoryTable({ attempts, dimmed }: { attempts: Attempt[]; dimmed: boolean }) {
  const styles = useStyles2(getTableStyles);
  return (
    <div className={cx(styles.wrapper, dimmed && styles.dimmed)} aria-busy={dimmed}>
      <table className={styles.table} data-testid={testIds.history.table}>
        <thead>
          <tr>
            <th>Status</th>
            <th>Started</th>
            <th>Trigger</th>
            <th>Requested by</th>
            <th title="Full: the whole view recomputed. Incremental: only the changed keys (business dates).">
              Refresh
            </th>
            <th className={styles.number}>Duration</th>
            <th className={styles.number}>Rows</th>
            <th className={styles.number}>Run</th>
            <th>Error or note</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((a) => (
            <tr key={a.logId} data-testid={testIds.history.row(a.logId)}>
              <td>
                <AttemptBadge status={a.status} data-testid={testIds.history.status(a.logId)} />
              </td>
              <td className={styles.nowrap} title={a.startedAt ? formatRelative(a.startedAt) : undefined}>
                {formatAbsolute(a.startedAt)}
              </td>
              <td>{TRIGGERS[a.trigger] ?? a.trigger}</td>
              <td>
                <Requester requestedBy={a.requestedBy} data-testid={testIds.history.requester(a.logId)} />
              </td>
              <td
                className={styles.nowrap}
                title={refreshTypeDescription(a)}
                data-testid={testIds.history.refreshType(a.logId)}
              >
                {refreshTypeText(a.refreshType, a.keyCount)}
              </td>
              <td className={styles.number}>{formatDuration(a.durationMs)}</td>
              <td className={styles.number}>{formatCount(a.rows)}</td>
              <td className={styles.number}>{a.runId}</td>
              <td>
                <Message attempt={a} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
