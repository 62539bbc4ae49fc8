// "Today live" for a zero-lag view: its pack's report functions read the current day from the source, so a
// state of stale or a lag concerns the stored rows (earlier days), never today's figures.
import React from 'react';
import { Badge } from '@grafana/ui';
import { ZERO_LAG_LOOK } from '../../format/refreshMode';

export function ZeroLagBadge({ 'data-testid': testId }: { 'data-testid'?: string }) {
  return (
    <Badge
      color={ZERO_LAG_LOOK.color}
      text={ZERO_LAG_LOOK.label}
      tooltip={ZERO_LAG_LOOK.description}
      data-testid={testId}
    />
  );
}
