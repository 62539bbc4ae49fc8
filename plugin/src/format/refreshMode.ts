// How a view is refreshed (full or incremental) and read (stored rows, or today live), in words: one place,
// so the Views page, the history page and the refresh panel say the same thing.
import type { Attempt, RefreshType, ViewStatus } from '../api/types';
import { formatCount, NONE } from './numbers';
import type { Look } from './state';

export const REFRESH_MODE_LOOK: Record<RefreshType, Look> = {
  full: {
    label: 'Full',
    color: 'darkgrey',
    description: 'Every refresh recomputes the whole view.',
  },
  incremental: {
    label: 'Incremental',
    color: 'blue',
    description:
      'A keyed aggregate: scheduled refreshes recompute only the business dates that changed in its sources. ' +
      'A refresh someone asks for, its full-refresh schedule and its first refresh recompute everything.',
  },
};

// A mode this app does not know (a newer service) is shown under its own name rather than as "Full".
export const refreshModeLook = (mode: string): Look =>
  REFRESH_MODE_LOOK[mode as RefreshType] ?? { label: mode, color: 'darkgrey', description: mode };

export const ZERO_LAG_LOOK: Look = {
  label: 'Today live',
  color: 'green',
  description:
    "Stored rows are as of the last refresh; today's figures are read live from the source by the pack's " +
    'report functions, so they are never behind. The state and lag describe the stored rows, i.e. earlier days.',
};

/** "1 key", "31 keys": keys are business dates. */
export const formatKeys = (n: number): string => `${formatCount(n)} ${n === 1 ? 'key' : 'keys'}`;

/** One attempt: "Full", "Incremental · 3 keys", or a dash before it started (and for older log rows). */
export function refreshTypeText(type: RefreshType | string | null, keyCount: number | null): string {
  if (type === null) {
    return NONE;
  }
  if (type === 'incremental') {
    return keyCount === null ? 'Incremental' : `Incremental · ${formatKeys(keyCount)}`;
  }
  return refreshModeLook(type).label;
}

/** What an attempt's type means, for a tooltip. */
export function refreshTypeDescription(a: Pick<Attempt, 'refreshType' | 'keyCount'>): string | undefined {
  if (a.refreshType === 'full') {
    return 'Full refresh: the whole view was recomputed.';
  }
  if (a.refreshType === 'incremental') {
    if (a.keyCount === 0) {
      return 'Incremental refresh: no business date had changed, so nothing was recomputed.';
    }
    return a.keyCount === null
      ? 'Incremental refresh: only the business dates that changed were recomputed.'
      : `Incremental refresh: only the ${formatKeys(a.keyCount)} (business dates) that changed were recomputed.`;
  }
  return undefined;
}

/** The view's refresh mode, with what its last successful refresh did: for the mode badge's tooltip. */
export function refreshModeDescription(v: Pick<ViewStatus, 'refreshMode' | 'lastRefreshType' | 'lastKeyCount'>) {
  const last =
    v.lastRefreshType === null ? '' : ` Last refresh: ${refreshTypeText(v.lastRefreshType, v.lastKeyCount)}.`;
  return `${refreshModeLook(v.refreshMode).description}${last}`;
}
