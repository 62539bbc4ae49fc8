// Filters live in the URL (?pack=&state=a,b&q=), so a filtered list can be linked to, e.g. from an
// alert, and survives the round trip to a view's history and back.
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { ViewState } from '../../api/types';
import { VIEW_STATES } from '../../format/state';
import type { ViewFilters } from './filterViews';

const isState = (s: string): s is ViewState => (VIEW_STATES as string[]).includes(s);

export function useViewFilters(): [ViewFilters, (next: ViewFilters) => void] {
  const [params, setParams] = useSearchParams();
  const filters = useMemo<ViewFilters>(
    () => ({
      pack: params.get('pack') ?? '',
      states: (params.get('state') ?? '').split(',').filter(isState),
      search: params.get('q') ?? '',
    }),
    [params]
  );
  const setFilters = useCallback(
    (next: ViewFilters) => {
      const p = new URLSearchParams();
      if (next.pack) {
        p.set('pack', next.pack);
      }
      if (next.states.length > 0) {
        p.set('state', next.states.join(','));
      }
      if (next.search) {
        p.set('q', next.search);
      }
      // Replace, not push: typing a search must not fill the browser's history.
      setParams(p, { replace: true });
    },
    [setParams]
  );
  return [filters, setFilters];
}
