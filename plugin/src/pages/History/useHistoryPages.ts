// A view's refresh log, a page at a time, newest first. Older pages are reached with the service's
// `nextBefore` cursor; the cursors of the pages passed on the way are kept, so Newer goes back.
import { useCallback, useEffect, useState } from 'react';
import { viewHistory } from '../../api/client';
import { toApiError, type ApiError } from '../../api/errors';
import type { ViewHistory } from '../../api/types';
import { HISTORY_PAGE_SIZE } from '../../constants';

interface Position {
  /** The `before` of the page asked for; undefined for the newest page. */
  before?: number;
  /** The `before` of each newer page, oldest last: popped by Newer. */
  newer: Array<number | undefined>;
}

export interface HistoryPages {
  /** The last page that arrived; while `loading`, the one before the page asked for. */
  page?: ViewHistory;
  loading: boolean;
  /** Why the page asked for did not arrive. */
  error?: ApiError;
  /** 1 for the newest page. */
  pageNumber: number;
  hasOlder: boolean;
  hasNewer: boolean;
  older: () => void;
  newer: () => void;
  /** Back to the newest page, fetched again (e.g. after a refresh). */
  first: () => void;
  retry: () => void;
}

export function useHistoryPages(view: string): HistoryPages {
  const [pos, setPos] = useState<Position>({ newer: [] });
  const [loaded, setLoaded] = useState<{ pos: Position; page: ViewHistory }>();
  const [failed, setFailed] = useState<{ pos: Position; error: ApiError }>();

  useEffect(() => {
    let live = true;
    viewHistory(view, { limit: HISTORY_PAGE_SIZE, before: pos.before }).then(
      (page) => live && setLoaded({ pos, page }),
      (err) => live && setFailed({ pos, error: toApiError(err) })
    );
    // A later position wins: an answer for a page the user has left is dropped.
    return () => {
      live = false;
    };
  }, [view, pos]);

  // Positions are compared by identity: each navigation (or retry) is a new one, answered once.
  const current = loaded?.pos === pos;
  const error = failed?.pos === pos ? failed.error : undefined;
  const nextBefore = current ? loaded.page.nextBefore : null;

  const older = useCallback(() => {
    if (nextBefore !== null) {
      setPos((p) => ({ before: nextBefore, newer: [...p.newer, p.before] }));
    }
  }, [nextBefore]);
  const newer = useCallback(
    () =>
      setPos((p) => (p.newer.length === 0 ? p : { before: p.newer[p.newer.length - 1], newer: p.newer.slice(0, -1) })),
    []
  );
  const first = useCallback(() => setPos({ newer: [] }), []);
  const retry = useCallback(() => setPos((p) => ({ ...p })), []);

  return {
    page: loaded?.page,
    loading: !current && !error,
    error,
    pageNumber: pos.newer.length + 1,
    hasOlder: nextBefore !== null,
    hasNewer: pos.newer.length > 0,
    older,
    newer,
    first,
    retry,
  };
}
