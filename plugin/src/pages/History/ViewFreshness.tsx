// The view's current freshness, from GET /api/views, above its history.
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { ViewStatus } from '../../api/types';
import { RefreshModeBadge } from '../../components/RefreshMode/RefreshModeBadge';
import { ZeroLagBadge } from '../../components/RefreshMode/ZeroLagBadge';
import { StateBadge } from '../../components/StateBadge/StateBadge';
import { formatDuration } from '../../format/numbers';
import { formatLag } from '../../format/time';
import { testIds } from '../../testIds';
import { TimeText } from '../common/TimeText';

export function ViewFreshness({ status }: { status: ViewStatus }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.facts} data-testid={testIds.history.freshness}>
      <StateBadge state={status.state} />
      <span>
        Last success <TimeText iso={status.lastSuccessAt} />
      </span>
      <span>{formatLag(status.lagSeconds)} behind</span>
      <RefreshModeBadge view={status} data-testid={testIds.history.refreshMode} />
      {status.zeroLag && <ZeroLagBadge data-testid={testIds.history.zeroLag} />}
      <span>typically {formatDuration(status.typicalDurationMs)}</span>
      <span>
        schedule <code>{status.schedule}</code>
      </span>
      {status.description && <span className={styles.description}>{status.description}</span>}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  facts: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(2), alignItems: 'center' }),
  description: css({ color: theme.colors.text.secondary }),
});
