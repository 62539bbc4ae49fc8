// ViewStatus rows shaped as GET /api/views answers them, for the pages' tests.
import type { ViewStatus } from '../api/types';

export const BASE = '/api/plugin-proxy/matviewops-app';

export const view = (name: string, over: Partial<ViewStatus> = {}): ViewStatus => ({
  view: name,
  pack: 'sales',
  description: '',
  state: 'fresh',
  enabled: true,
  lagSeconds: 0,
  warnAfterSeconds: 1200,
  errorAfterSeconds: 3600,
  lastSuccessAt: '2026-12-01T08:50:00.000Z',
  lastAttemptAt: '2026-12-01T08:50:00.000Z',
  lastAttemptStatus: 'succeeded',
  lastError: null,
  lastDurationMs: 1500,
  typicalDurationMs: 1200,
  rows: 1234,
  sizeBytes: 8192,
  schedule: '*/15 * * * *',
  due: false,
  dueReason: null,
  refreshMode: 'full',
  zeroLag: false,
  lastRefreshType: 'full',
  lastKeyCount: null,
  ...over,
});

/** Resolve it later: keeps a request in flight for as long as a test needs. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
