// A moment as "5 min ago", with the exact time (the user's time zone) on hover or focus.
import React from 'react';
import { Tooltip } from '@grafana/ui';
import { NONE } from '../../format/numbers';
import { formatAbsolute, formatRelative } from '../../format/time';

export function TimeText({ iso }: { iso: string | null }) {
  if (!iso) {
    return <>{NONE}</>;
  }
  const absolute = formatAbsolute(iso);
  return (
    <Tooltip content={absolute}>
      {/* Focusable so keyboard users reach the tooltip too. */}
      <time dateTime={iso} tabIndex={0} aria-label={`${formatRelative(iso)} (${absolute})`}>
        {formatRelative(iso)}
      </time>
    </Tooltip>
  );
}
