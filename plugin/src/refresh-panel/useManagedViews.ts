// The managed views as the service lists them, re-read every `everyMs` (0: once) with no overlapping
// requests; the last good list stays while a later read fails.
import { useCallback, useEffect, useState } from 'react';
import { listViews } from '../api/client';
import { toApiError, type ApiError } from '../api/errors';
import type { ViewStatus } from '../api/types';

export interface ManagedViews {
  views?: ViewStatus[];
  error?: ApiError;
  loading: boolean;
  reload: () => void;
}

export function useManagedViews(everyMs = 0): ManagedViews {
  const [views, setViews] = useState<ViewStatus[]>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      setLoading(true);
      try {
        const v = await listViews();
        if (!stopped) {
          setViews(v);
          setError(undefined);
        }
      } catch (err) {
        if (!stopped) {
          setError(toApiError(err));
        }
      } finally {
        if (!stopped) {
          setLoading(false);
          if (everyMs > 0) {
            timer = setTimeout(read, everyMs);
          }
        }
      }
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [everyMs, generation]);

  return { views, error, loading, reload };
}
