// The managed views, fetched on mount and again at the chosen interval. A failed poll keeps the last
// list (with when it was fetched) so the page can warn instead of going blank.
import { useCallback, useEffect, useRef, useState } from 'react';
import { listViews } from '../../api/client';
import { toApiError, type ApiError } from '../../api/errors';
import type { ViewStatus } from '../../api/types';
import { startPoller, type Poller } from './poller';

export interface PolledViews {
  views?: ViewStatus[];
  /** Date.now() when `views` arrived. */
  fetchedAt?: number;
  /** The last poll's failure; cleared by the next success. */
  error?: ApiError;
}

export function usePolledViews(intervalMs: number): PolledViews & { reload: () => void } {
  const [state, setState] = useState<PolledViews>({});
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
  return { ...state, reload };
}
