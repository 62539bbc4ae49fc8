// The managed views, read once (and again on reload()): for pickers and headers that need no polling.
import { useCallback, useEffect, useState } from 'react';
import { listViews } from '../../api/client';
import { toApiError, type ApiError } from '../../api/errors';
import type { ViewStatus } from '../../api/types';

export interface ViewList {
  views?: ViewStatus[];
  error?: ApiError;
  reload: () => void;
}

export function useViewList(): ViewList {
  const [state, setState] = useState<{ views?: ViewStatus[]; error?: ApiError }>({});
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    let live = true;
    listViews().then(
      (views) => live && setState({ views }),
      (err) => live && setState((s) => ({ ...s, error: toApiError(err) }))
    );
    return () => {
      live = false;
    };
  }, [asked]);
  const reload = useCallback(() => setAsked((n) => n + 1), []);
  return { ...state, reload };
}
