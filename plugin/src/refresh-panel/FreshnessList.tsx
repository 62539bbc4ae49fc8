// The target views' freshness in a few lines: a state per view and how far behind it is; for a zero-lag view,
// that today's figures are live whatever the stored rows' lag.
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { ViewStatus } from '../api/types';
import { StateBadge } from '../components/StateBadge/StateBadge';
import { testIds } from '../testIds';
import { ZERO_LAG_LOOK } from '../format/refreshMode';
import { formatLag } from '../format/time';

interface Props {
  views: ViewStatus[];
  /** Names the options ask for; those the service does not list are shown as not managed. */
  wanted?: string[];
}

export function FreshnessList({ views, wanted }: Props) {
  const styles = useStyles2(getStyles);
  const missing = (wanted ?? []).filter((w) => !views.some((v) => v.view === w));
  return (
    <ul className={styles.list} data-testid={testIds.panel.freshness}>
      {views.map((v) => (
        <li key={v.view} className={styles.item} data-testid={testIds.panel.freshnessItem(v.view)}>
          <StateBadge state={v.state} />
          <span className={styles.name}>{v.view}</span>
          <span className={styles.lag}>
            {v.lagSeconds === null ? '' : `${formatLag(v.lagSeconds)} behind`}
            {v.zeroLag && (
              <span title={ZERO_LAG_LOOK.description} data-testid={testIds.panel.zeroLag(v.view)}>
                {v.lagSeconds === null ? 'today live' : ' · today live'}
              </span>
            )}
          </span>
        </li>
      ))}
      {missing.map((m) => (
        <li key={m} className={styles.item} data-testid={testIds.panel.freshnessItem(m)}>
          <span className={styles.name}>{m}</span>
          <span className={styles.lag}>not managed by mv_ops</span>
        </li>
      ))}
      {views.length === 0 && missing.length === 0 && <li className={styles.lag}>No managed views match.</li>}
    </ul>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: 0, padding: 0 }),
  item: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'baseline', padding: theme.spacing(0.25, 0) }),
  name: css({ fontFamily: theme.typography.fontFamilyMonospace }),
  lag: css({ color: theme.colors.text.secondary }),
});
