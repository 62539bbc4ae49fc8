// Test connection's requests, all three at once through the app's proxy (so with the SAVED settings).
import { access, readiness } from '../../api/client';
import { toApiError } from '../../api/errors';
import type { Outcome, ProbeResults } from './diagnose';

const settle = <T>(p: Promise<T>): Promise<Outcome<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, error: toApiError(err) })
  );

export async function probe(): Promise<ProbeResults> {
  const [ready, read, admin] = await Promise.all([
    settle(readiness()),
    settle(access('read')),
    settle(access('admin')),
  ]);
  return { readiness: ready, read, admin };
}
