// How long the successful refreshes on the shown page took, oldest to newest: a slow creep or a
// sudden jump shows at a glance. A small SVG, so it needs no canvas and no data frame.
import React from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { Attempt } from '../../api/types';
import { formatDuration } from '../../format/numbers';
import { formatAbsolute } from '../../format/time';
import { testIds } from '../../testIds';

const W = 240;
const H = 40;
const PAD = 3;

const median = (sorted: number[]) => {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export function DurationSparkline({ attempts }: { attempts: Attempt[] }) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  // The log comes newest first; a line reads left to right, oldest first.
  const done = attempts.filter((a) => a.status === 'succeeded' && a.durationMs !== null).reverse();
  if (done.length === 0) {
    return null;
  }
  const ms = done.map((a) => a.durationMs!);
  const sorted = [...ms].sort((a, b) => a - b);
  const [min, max] = [sorted[0], sorted[sorted.length - 1]];
  const x = (i: number) => (done.length === 1 ? W / 2 : PAD + (i * (W - 2 * PAD)) / (done.length - 1));
  const y = (d: number) => (max === min ? H / 2 : H - PAD - ((d - min) / (max - min)) * (H - 2 * PAD));

  return (
    <figure className={styles.figure} data-testid={testIds.history.sparkline}>
      <svg
        width={W}
        height={H}
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Durations of the ${done.length} successful refreshes on this page, oldest to newest`}
      >
        <polyline
          points={ms.map((d, i) => `${x(i)},${y(d)}`).join(' ')}
          fill="none"
          stroke={theme.colors.primary.main}
          strokeWidth={1.5}
        />
        {done.map((a, i) => (
          <circle key={a.logId} cx={x(i)} cy={y(ms[i])} r={2} fill={theme.colors.primary.main}>
            <title>{`${formatAbsolute(a.startedAt)}: ${formatDuration(a.durationMs)}`}</title>
          </circle>
        ))}
      </svg>
      <figcaption className={styles.caption}>
        {done.length} successful: min {formatDuration(min)} · median {formatDuration(median(sorted))} · max{' '}
        {formatDuration(max)}
      </figcaption>
    </figure>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  figure: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(2), margin: theme.spacing(0, 0, 2) }),
  caption: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
