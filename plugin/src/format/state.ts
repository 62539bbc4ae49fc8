// How each freshness state and attempt status looks: one table, so the badge, the filters and the
// refresh panel never disagree on what "stale" means or which colour it gets.
import type { IconName } from '@grafana/data';
import type { BadgeColor } from '@grafana/ui';
import type { AttemptStatus, ViewState } from '../api/types';

export interface Look {
  label: string;
  color: BadgeColor;
  icon?: IconName;
  /** What the state means, for a tooltip. */
  description: string;
}

/** Worst first: the order of the state filter. */
export const VIEW_STATES: ViewState[] = ['failing', 'stale', 'never_refreshed', 'warn', 'fresh', 'paused'];

export const VIEW_STATE_LOOK: Record<ViewState, Look> = {
  fresh: { label: 'Fresh', color: 'green', description: 'Behind its sources by less than its warn threshold.' },
  warn: { label: 'Warn', color: 'orange', description: 'Behind its sources by more than its warn threshold.' },
  stale: { label: 'Stale', color: 'red', description: 'Behind its sources by more than its error threshold.' },
  failing: {
    label: 'Failing',
    color: 'red',
    icon: 'exclamation-triangle',
    description: 'Its last refresh attempt failed; readers see the data of the last success.',
  },
  never_refreshed: {
    label: 'Never refreshed',
    color: 'orange',
    icon: 'question-circle',
    description: 'Not populated yet: no refresh has succeeded, so it holds no data.',
  },
  paused: {
    label: 'Paused',
    color: 'darkgrey',
    icon: 'pause',
    description: 'Disabled: the scheduler skips it until it is enabled again.',
  },
};

// Unknown values (a newer service) still get a neutral badge instead of breaking the page.
export const viewStateLook = (state: string): Look =>
  VIEW_STATE_LOOK[state as ViewState] ?? { label: state, color: 'darkgrey', description: state };

export const ATTEMPT_STATUS_LOOK: Record<AttemptStatus, Look> = {
  queued: { label: 'Queued', color: 'blue', description: 'Waiting for its turn in the run.' },
  running: { label: 'Running', color: 'orange', icon: 'sync', description: 'Refreshing now.' },
  succeeded: { label: 'Succeeded', color: 'green', description: 'Refreshed.' },
  failed: { label: 'Failed', color: 'red', icon: 'exclamation-triangle', description: 'The refresh failed.' },
  skipped: { label: 'Skipped', color: 'purple', description: 'Not refreshed in this run; the message says why.' },
};

export const attemptStatusLook = (status: string): Look =>
  ATTEMPT_STATUS_LOOK[status as AttemptStatus] ?? { label: status, color: 'darkgrey', description: status };
