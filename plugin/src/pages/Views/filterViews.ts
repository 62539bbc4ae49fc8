// The Views page's client-side filters: pack, states, and a name search.
import type { ViewState, ViewStatus } from '../../api/types';

export interface ViewFilters {
  /** Empty: every pack. */
  pack: string;
  /** Empty: every state. */
  states: ViewState[];
  search: string;
}

export const NO_FILTERS: ViewFilters = { pack: '', states: [], search: '' };

export function filterViews(views: ViewStatus[], f: ViewFilters): ViewStatus[] {
  const needle = f.search.trim().toLowerCase();
  return views.filter(
    (v) =>
      (f.pack === '' || v.pack === f.pack) &&
      (f.states.length === 0 || f.states.includes(v.state)) &&
      (needle === '' || v.view.toLowerCase().includes(needle))
  );
}

/** Packs present in the list, sorted, for the pack filter. */
