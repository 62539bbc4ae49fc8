// How a view is refreshed, Full or Incremental, as a badge; the tooltip says what that means and what its
// last successful refresh did.
import React from 'react';
import { Badge } from '@grafana/ui';
import type { ViewStatus } from '../../api/types';
import { refreshModeDescription, refreshModeLook } from '../../format/refreshMode';

interface Props {
  view: Pick<ViewStatus, 'refreshMode' | 'lastRefreshType' | 'lastKeyCount'>;
  'data-testid'?: string;
}

export function RefreshModeBadge({ view, 'data-testid': testId }: Props) {
  const look = refreshModeLook(view.refreshMode);
  return <Badge color={look.color} text={look.label} tooltip={refreshModeDescription(view)} data-testid={testId} />;
}
