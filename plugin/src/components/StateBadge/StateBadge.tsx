// A view's freshness state as a coloured badge; failing and never-refreshed also carry an icon, so
// they read apart from stale without relying on colour. The tooltip says what the state means.
import React from 'react';
import { Badge } from '@grafana/ui';
import type { ViewState } from '../../api/types';
import { viewStateLook } from '../../format/state';

interface Props {
  state: ViewState;
  /** Added to the tooltip, e.g. why the view is due. */
  detail?: string;
  'data-testid'?: string;
}

export function StateBadge({ state, detail, 'data-testid': testId }: Props) {
  const look = viewStateLook(state);
  return (
    <Badge
      color={look.color}
      icon={look.icon}
      text={look.label}
      tooltip={detail ? `${look.description} ${detail}` : look.description}
      data-testid={testId}
    />
  );
}
