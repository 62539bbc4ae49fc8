// One managed view: state, pack, refresh mode (and Today live for a zero-lag view), lag, last success, durations, size, rows, last error, and its
// refresh control. The name links to the view's history.
import React from 'react';
import { Link } from 'react-router-dom';
import { Stack, useStyles2 } from '@grafana/ui';
import type { ViewStatus } from '../../api/types';
import { RefreshModeBadge } from '../../components/RefreshMode/RefreshModeBadge';
import { ZeroLagBadge } from '../../components/RefreshMode/ZeroLagBadge';
import { StateBadge } from '../../components/StateBadge/StateBadge';
import { RefreshControl } from '../../components/refresh/RefreshControl';
import { historyUrl } from '../../constants';
import { splitLastError } from '../../format/errors';
import { formatBytes, formatCount, formatDuration } from '../../format/numbers';
import { formatLag } from '../../format/time';
import { testIds } from '../../testIds';
import { ErrorText } from '../common/ErrorText';
import { getTableStyles } from '../common/tableStyles';
import { TimeText } from '../common/TimeText';

interface Props {
  view: ViewStatus;
  /** Called when a refresh started from this row ends, so the list shows its outcome. */
  reload: () => void;
}

const thresholds = (v: ViewStatus): string | undefined =>
  v.warnAfterSeconds === null && v.errorAfterSeconds === null
    ? undefined
    : `Warn after ${formatLag(v.warnAfterSeconds)} behind, stale after ${formatLag(v.errorAfterSeconds)}.`;

export function ViewRow({ view, reload }: Props) {
  const styles = useStyles2(getTableStyles);
  const error = splitLastError(view.lastError);
  return (
    <tr data-testid={testIds.views.row(view.view)}>
      <td>
        <Link to={historyUrl(view.view)} className={styles.mono} data-testid={testIds.views.historyLink(view.view)}>
          {view.view}
        </Link>
        {view.description && <div className={styles.secondary}>{view.description}</div>}
      </td>
      <td className={styles.nowrap}>
        <StateBadge
          state={view.state}
          detail={view.due && view.dueReason ? `Due: ${view.dueReason}.` : undefined}
          data-testid={testIds.views.state(view.view)}
        />
      </td>
      <td>{view.pack}</td>
      <td className={styles.nowrap}>
        <Stack direction="row" gap={0.5} alignItems="center">
          <RefreshModeBadge view={view} data-testid={testIds.views.refreshMode(view.view)} />
          {view.zeroLag && <ZeroLagBadge data-testid={testIds.views.zeroLag(view.view)} />}
        </Stack>
      </td>
      <td className={styles.number} title={thresholds(view)}>
        {formatLag(view.lagSeconds)}
      </td>
      <td className={styles.nowrap}>
        <TimeText iso={view.lastSuccessAt} />
      </td>
      <td className={styles.number}>{formatDuration(view.lastDurationMs)}</td>
      <td className={styles.number}>{formatDuration(view.typicalDurationMs)}</td>
      <td className={styles.number}>{formatBytes(view.sizeBytes)}</td>
      <td className={styles.number}>{formatCount(view.rows)}</td>
      <td>
        {error && (
          <ErrorText
            sqlstate={error.sqlstate}
            message={error.message}
            data-testid={testIds.views.lastError(view.view)}
          />
        )}
      </td>
      <td>
        <RefreshControl target={{ views: [view.view], cascade: true }} size="sm" roleHint={false} onFinished={reload} />
      </td>
    </tr>
  );
}
