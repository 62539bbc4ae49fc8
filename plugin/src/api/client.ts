// The one client of the refresh service, through the app's Grafana proxy routes; used by the pages,
// the config page and the refresh panel alike. Every failure is thrown as an ApiError.
import { getBackendSrv, type BackendSrvRequest } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { toApiError } from './errors';
import { QUIET } from './fetchOptions';
import { PROXY_BASE } from './paths';
import type {
  AccessReport,
  Readiness,
  RefreshAccepted,
  RefreshRequest,
  RunStatus,
  ViewHistory,
  ViewStatus,
} from './types';

async function call<T>(request: Omit<BackendSrvRequest, 'showErrorAlert'>): Promise<T> {
  try {
    const response = await lastValueFrom(getBackendSrv().fetch<T>({ ...request, ...QUIET }));
    return response.data;
  } catch (err) {
    throw toApiError(err);
  }
}

const get = <T>(path: string, params?: Record<string, string | number>) =>
  call<T>({ url: `${PROXY_BASE}/${path}`, method: 'GET', params });

export const listViews = async (): Promise<ViewStatus[]> => (await get<{ views: ViewStatus[] }>('api/views')).views;

export const viewHistory = (view: string, page: { limit?: number; before?: number } = {}): Promise<ViewHistory> =>
  get<ViewHistory>(`api/views/${encodeURIComponent(view)}/history`, {
    limit: page.limit ?? 50,
    ...(page.before === undefined ? {} : { before: page.before }),
  });

export const runStatus = (runId: number): Promise<RunStatus> => get<RunStatus>(`api/runs/${runId}`);

/** Admins only (Grafana's route checks the role). The key makes a retried click return the same run. */
export const requestRefresh = (body: RefreshRequest, idempotencyKey: string): Promise<RefreshAccepted> =>
  call<RefreshAccepted>({
    url: `${PROXY_BASE}/api/refresh`,
    method: 'POST',
    data: body,
    headers: { 'Idempotency-Key': idempotencyKey },
  });

/** What the secret behind the route allows and who the service sees: `read` via the Viewer route, `admin` via the Admin one. */
export const access = (level: 'read' | 'admin'): Promise<AccessReport> =>
  get<AccessReport>(level === 'admin' ? 'api/access/admin' : 'api/access');

/**
 * /readyz answers 503 with the same body when not ready; that body is the answer, not an error.
 */
export async function readiness(): Promise<Readiness> {
  try {
    return await lastValueFrom(
      getBackendSrv().fetch<Readiness>({ url: `${PROXY_BASE}/readyz`, method: 'GET', ...QUIET })
    ).then((r) => r.data);
  } catch (err) {
    const body = (err as { status?: number; data?: Readiness }).data;
    if ((err as { status?: number }).status === 503 && body?.checks) {
      return body;
    }
    throw toApiError(err);
  }
}
