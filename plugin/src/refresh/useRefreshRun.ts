// The refresh flow shared by the panel and the pages: confirm → POST with an Idempotency-Key → follow
// the run until it ends. The run being followed is remembered per control, so a reload resumes it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { requestRefresh, runStatus } from '../api/client';
import { toApiError, type ApiError } from '../api/errors';
import type { RefreshOutcome, RefreshRequest, RunStatus } from '../api/types';
import { newIdempotencyKey } from './idempotencyKey';
import { forgetRun, recallRun, rememberRun } from './runStorage';

export type RefreshPhase =
  | { kind: 'idle' }
  | { kind: 'confirming' }
  | { kind: 'requesting' }
  | {
      kind: 'following';
      runId: number;
      outcome?: RefreshOutcome;
      run?: RunStatus;
      /** When `run` was read: what a running step's elapsed time is measured to. */
      polledAt?: number;
      pollError?: ApiError;
    }
  | { kind: 'finished'; run: RunStatus; outcome?: RefreshOutcome }
  | {
      kind: 'failed';
      error: ApiError;
      /** Epoch ms before which a new request would be refused again. */ retryUntil?: number;
    };

export const POLL_MS = 1000;
const MAX_BACKOFF_MS = 15_000;

// Errors after which trying the same request again cannot help; the key is dropped with them.
const DEFINITIVE = new Set([
  'route_denied',
  'too_soon',
  'busy',
  'unauthorized',
  'forbidden',
  'invalid_request',
  'idempotency_key_reused',
  'unknown_view',
]);

export function useRefreshRun(target: RefreshRequest, storageKey: string, onFinished?: (run: RunStatus) => void) {
  const [phase, setPhase] = useState<RefreshPhase>(() => {
    const runId = recallRun(storageKey);
    return runId === undefined ? { kind: 'idle' } : { kind: 'following', runId };
  });
  // Kept across a failed POST so that trying again cannot start a second run.
  const pendingKey = useRef<string | undefined>(undefined);
  // The latest callback, read when a run ends (not a reason to restart polling when it changes).
  const finished = useRef(onFinished);
  useEffect(() => {
    finished.current = onFinished;
  }, [onFinished]);

  const following = phase.kind === 'following' ? phase.runId : undefined;
  useEffect(() => {
    if (following === undefined) {
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const poll = async () => {
      try {
        const run = await runStatus(following);
        if (stopped) {
          return;
        }
        failures = 0;
        if (run.status === 'running') {
          setPhase((p) => (p.kind === 'following' ? { ...p, run, polledAt: Date.now(), pollError: undefined } : p));
          timer = setTimeout(poll, POLL_MS);
          return;
        }
        forgetRun(storageKey);
        setPhase((p) => ({ kind: 'finished', run, outcome: p.kind === 'following' ? p.outcome : undefined }));
        finished.current?.(run);
      } catch (err) {
        if (stopped) {
          return;
        }
        const error = toApiError(err);
        if (error.code === 'unknown_run') {
          // The run is gone (log pruned, database replaced): nothing left to follow.
          forgetRun(storageKey);
          setPhase({ kind: 'failed', error });
          return;
        }
        // Reading status is safe to repeat; back off so a down service is not hammered.
        failures += 1;
        setPhase((p) => (p.kind === 'following' ? { ...p, pollError: error } : p));
        timer = setTimeout(poll, Math.min(POLL_MS * 2 ** failures, MAX_BACKOFF_MS));
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [following, storageKey]);

  const targetJson = JSON.stringify(target);
  useEffect(() => {
    // A key names one request: a different target is a different request.
    pendingKey.current = undefined;
  }, [targetJson]);
  const ask = useCallback(() => setPhase({ kind: 'confirming' }), []);
  const dismiss = useCallback(() => setPhase((p) => (p.kind === 'following' ? p : { kind: 'idle' })), []);
  const confirm = useCallback(async () => {
    setPhase({ kind: 'requesting' });
    pendingKey.current ??= newIdempotencyKey();
    try {
      const accepted = await requestRefresh(JSON.parse(targetJson), pendingKey.current);
      pendingKey.current = undefined;
      rememberRun(storageKey, accepted.runId);
      setPhase({ kind: 'following', runId: accepted.runId, outcome: accepted.outcome });
    } catch (err) {
      const error = toApiError(err);
      if (DEFINITIVE.has(error.code)) {
        pendingKey.current = undefined;
      }
      const retryUntil = error.retryAfter ? Date.now() + error.retryAfter * 1000 : undefined;
      setPhase({ kind: 'failed', error, retryUntil });
    }
  }, [targetJson, storageKey]);

  return { phase, ask, confirm, dismiss };
}
