import type { BackendSrvRequest } from '@grafana/runtime';
import { of, throwError } from 'rxjs';
import { access, listViews, readiness, requestRefresh } from './client';
import { ApiError } from './errors';
import type { Readiness } from './types';

const mockFetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: mockFetch }),
}));

const BASE = '/api/plugin-proxy/matviewops-app';
const ok = (data: unknown, status = 200) => of({ data, status });
const fail = (status: number, data: unknown, extra: object = {}) => throwError(() => ({ status, data, ...extra }));

const notReady: Readiness = {
  status: 'not_ready',
  checks: {
    database: { ok: true, detail: 'reachable' },
    migrations: { ok: false, detail: 'not applied: 0042_x (run npm run db:migrate)' },
    scheduler: { ok: true, detail: 'pg_cron job mv_ops_run_due' },
  },
};

const requested = (): BackendSrvRequest => mockFetch.mock.calls[0][0];

beforeEach(() => mockFetch.mockReset());

describe('readiness()', () => {
  it('returns the ready body', async () => {
    const ready = { ...notReady, status: 'ready' };
    mockFetch.mockReturnValue(ok(ready));
    await expect(readiness()).resolves.toEqual(ready);
    expect(requested()).toMatchObject({ url: `${BASE}/readyz`, method: 'GET', showErrorAlert: false, retry: 1 });
  });

  it('returns the 503 body instead of throwing: not ready is an answer', async () => {
    mockFetch.mockReturnValue(fail(503, notReady));
    await expect(readiness()).resolves.toEqual(notReady);
  });

  it('throws a 503 without checks (the service draining) as the service’s error', async () => {
    mockFetch.mockReturnValue(fail(503, { error: { code: 'draining', message: 'Shutting down.', retryAfter: 5 } }));
    await expect(readiness()).rejects.toMatchObject({ code: 'draining', status: 503, retryAfter: 5 });
  });

  it('throws service_unreachable when Grafana’s proxy answers 502', async () => {
    mockFetch.mockReturnValue(fail(502, { message: 'Bad Gateway' }));
    await expect(readiness()).rejects.toMatchObject({ code: 'service_unreachable', status: 502 });
  });
});

describe('access()', () => {
  it.each([
    ['read', `${BASE}/api/access`],
    ['admin', `${BASE}/api/access/admin`],
  ] as const)('asks the %s route', async (level, url) => {
    const report = { power: level, canRefresh: false, identity: { user: 'ann', verified: true, problem: null } };
    mockFetch.mockReturnValue(ok(report));
    await expect(access(level)).resolves.toEqual(report);
    // retry: 1 keeps Grafana from re-sending a request the service answered 401 (as if the session expired).
    expect(requested()).toMatchObject({ url, method: 'GET', showErrorAlert: false, showSuccessAlert: false, retry: 1 });
  });
});

describe('the client’s error mapping', () => {
  it.each([
    [
      'a service error with retryAfter',
      fail(429, { error: { code: 'too_soon', message: 'Refreshed 10 s ago.', retryAfter: 50 } }),
      { code: 'too_soon', status: 429, retryAfter: 50, message: 'Refreshed 10 s ago.' },
    ],
    [
      'Grafana’s failed role check',
      fail(403, { message: 'plugin proxy route access denied' }),
      { code: 'route_denied', status: 403 },
    ],
    ['no route', fail(404, { message: 'Not found' }), { code: 'route_not_found', status: 404 }],
    ['a refused connection (502)', fail(502, {}), { code: 'service_unreachable', status: 502 }],
    ['a timeout (504)', fail(504, {}), { code: 'service_unreachable', status: 504 }],
    ['no answer (status 0)', fail(0, null), { code: 'network', status: 0 }],
    ['a cancelled request', fail(-1, null, { cancelled: true }), { code: 'cancelled' }],
    ['another status', fail(500, { message: 'boom' }), { code: 'http_error', status: 500 }],
  ])('turns %s into an ApiError', async (_what, reply, expected) => {
    mockFetch.mockReturnValue(reply);
    const err = await listViews().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject(expected);
  });

  it('sends a refresh with its idempotency key and maps its refusal', async () => {
    mockFetch.mockReturnValue(fail(403, { message: 'plugin proxy route access denied' }));
    await expect(requestRefresh({ views: ['sales.daily'] }, 'key-1')).rejects.toMatchObject({ code: 'route_denied' });
    expect(requested()).toMatchObject({
      url: `${BASE}/api/refresh`,
      method: 'POST',
      data: { views: ['sales.daily'] },
      headers: { 'Idempotency-Key': 'key-1' },
      // A refresh refused with 401 must never be re-sent by Grafana's session-renewal retry.
      retry: 1,
    });
  });
});
