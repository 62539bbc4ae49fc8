// The managed views as the service lists them: read on mount, then every `intervalMs` (0: once) with
// no overlapping requests, idle while the tab is hidden. A failed read keeps the last list (with when
// it was fetched), so a view can warn instead of going blank. The one source of the list for the
// pages, the panel and its option editors.
import { useCallback, useEffect, useRef, useState } from 'react';
import { listViews } from '../api/client';
import { toApiError, type ApiError } from '../api/errors';
import type { ViewStatus } from '../api/types';
import { startPoller, type Poller } from './poller';

export interface ManagedViews {
  views?: ViewStatus[];
  /** Date.now() when `views` arrived. */
  fetchedAt?: number;
  /** The last read's failure; cleared by the next success. */
  error?: ApiError;
  /** Nothing has answered yet. */
  loading: boolean;
  reload: () => void;
}

export function useManagedViews(intervalMs = 0): ManagedViews {
  const [state, setState] = useState<Pick<ManagedViews, 'views' | 'fetchedAt' | 'error'>>({});
  const poller = useRef<Poller | undefined>(undefined);
  const initialInterval = useRef(intervalMs);

  useEffect(() => {
    let live = true;
    const p = startPoller(async () => {
      try {
        const views = await listViews();
        if (live) {
          setState({ views, fetchedAt: Date.now() });
        }
      } catch (err) {
        if (live) {
          setState((s) => ({ ...s, error: toApiError(err) }));
        }
      }
    }, initialInterval.current);
    poller.current = p;
    return () => {
      live = false;
      p.stop();
    };
  }, []);

  useEffect(() => poller.current?.setIntervalMs(intervalMs), [intervalMs]);

  const reload = useCallback(() => poller.current?.runNow(), []);
  return { ...state, loading: state.views === undefined && state.error === undefined, reload };
}

/** The packs of a list of views, sorted, each once. */
export const packsOf = (views: ViewStatus[]): string[] => [...new Set(views.map((v) => v.pack))].sort();
