// One refresh attempt's status (queued, running, succeeded, failed, skipped) as a coloured badge.
import React from 'react';
import { Badge } from '@grafana/ui';
import type { AttemptStatus } from '../../api/types';
import { attemptStatusLook } from '../../format/state';

interface Props {
  status: AttemptStatus;
  'data-testid'?: string;
}

export function AttemptBadge({ status, 'data-testid': testId }: Props) {
  const look = attemptStatusLook(status);
  return <Badge color={look.color} icon={look.icon} text={look.label} data-testid={testId} />;
}
