// getBackendSrv() for the plugin: fetch() with Grafana's semantics as the plugin relies on them
// (public/app/core/services/backend_srv.ts and public/app/core/utils/fetch.ts): local URLs are
// relative to <base href="/"> and carry X-Grafana-Org-Id; `params` become the query string (undefined
// and empty values dropped); an object `data` is sent as JSON on POST/PUT/PATCH; the body is parsed
// as JSON when it parses, else kept as text; a non-2xx answer is thrown as a FetchError whose `data`
// is always an object with a `message`; a first 401 is re-sent once after a session check; error and
// success alerts go to appEvents unless switched off.
import { AppEvents } from '@grafana/data';
import {
  config,
  getAppEvents,
  type BackendSrv,
  type BackendSrvRequest,
  type FetchError,
  type FetchResponse,
} from '@grafana/runtime';
import { lastValueFrom, map, Observable } from 'rxjs';

const isLocalUrl = (url: string) => !/^(https?:)?\/\//i.test(url);

function serializeParams(params: Record<string, unknown>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && !((Array.isArray(v) || typeof v === 'string') && v.length === 0))
    .flatMap(([k, v]) =>
      (Array.isArray(v) ? v : [v]).map((item) => `${encodeURIComponent(k)}=${encodeURIComponent(String(item))}`)
    )
    .join('&');
}

function requestUrl(options: BackendSrvRequest): string {
  let url = options.url;
  if (isLocalUrl(url) && url.startsWith('/')) {
    url = url.substring(1);
  }
  const query = options.params ? serializeParams(options.params as Record<string, unknown>) : '';
  return query ? `${url}?${query}` : url;
}

function requestInit(options: BackendSrvRequest, signal: AbortSignal): RequestInit {
  const headers = new Headers(options.headers ?? {});
  const method = (options.method ?? 'GET').toUpperCase();
  if (['POST', 'PUT', 'PATCH'].includes(method) && !headers.has('content-type')) {
    headers.set('content-type', 'application/json');
  }
  if (!headers.has('accept')) {
    headers.set('accept', 'application/json, text/plain, */*');
  }
  const orgId = config.bootData.user?.orgId;
  if (isLocalUrl(options.url) && orgId) {
    headers.set('X-Grafana-Org-Id', String(orgId));
  }
  const isJson = headers.get('content-type')?.toLowerCase() === 'application/json';
  let body: BodyInit | undefined;
  if (options.data !== undefined && options.data !== null && options.data !== '') {
    body =
      typeof options.data === 'string'
        ? options.data
        : isJson
          ? JSON.stringify(options.data)
          : new URLSearchParams(options.data);
  }
  return { method, headers, body, credentials: options.credentials ?? 'same-origin', signal };
}

async function parseBody(response: Response, responseType: BackendSrvRequest['responseType']): Promise<unknown> {
  if (responseType === 'text') {
    return response.text();
  }
  if (responseType === 'blob') {
    return response.blob();
  }
  if (responseType === 'arraybuffer') {
    return response.arrayBuffer();
  }
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function showErrorAlert(options: BackendSrvRequest, err: FetchError<{ message: string }>): void {
  if (options.showErrorAlert === false || (options.showErrorAlert === undefined && !isLocalUrl(options.url))) {
    return;
  }
  let message = err.data.message;
  let description = '';
  if (message.length > 80) {
    description = message;
    message = 'Error';
  }
  getAppEvents().publish({
    type: (err.status ?? 0) < 500 ? AppEvents.alertWarning.name : AppEvents.alertError.name,
    payload: [message, description],
  });
}

/** processRequestError: `data` always an object with a message, the alert shown unless handled. */
function processRequestError(options: BackendSrvRequest, err: FetchError): FetchError {
  err.data = err.data ?? { message: 'Unexpected error' };
  if (typeof err.data === 'string') {
    err.data = { message: err.data, error: err.statusText, response: err.data };
  }
  if (err.data && !err.data.message && typeof err.data.error === 'string') {
    err.data.message = err.data.error;
  }
  if (err.data.message) {
    setTimeout(() => {
      if (!err.isHandled) {
        showErrorAlert(options, err as FetchError<{ message: string }>);
      }
    }, 50);
  }
  return err;
}

async function attempt<T>(options: BackendSrvRequest, signal: AbortSignal): Promise<FetchResponse<T>> {
  const response = await fetch(requestUrl(options), requestInit(options, signal));
  const data = (await parseBody(response, options.responseType)) as T;
  const { status, statusText, ok, headers, url, type, redirected } = response;
  if (!ok) {
    throw { status, statusText, data, config: options } satisfies FetchError;
  }
  return { status, statusText, ok, data, headers, url, type, redirected, config: options };
}

/**
 * handleStreamError: a 401 from a local URL on a request's first try (retry 0) of a signed-in user
 * is taken for an expired session: Grafana pings /api/login/ping and, if that passes, sends the
 * request once more. A request marked `retry: 1` is never re-sent.
 */
async function attemptWithSessionCheck<T>(options: BackendSrvRequest, signal: AbortSignal): Promise<FetchResponse<T>> {
  try {
    return await attempt<T>(options, signal);
  } catch (err) {
    const firstTry = (options.retry ?? 0) === 0;
    if (
      (err as FetchError).status !== 401 ||
      !firstTry ||
      !isLocalUrl(options.url) ||
      !config.bootData.user?.isSignedIn
    ) {
      throw err;
    }
    await attempt({ url: '/api/login/ping', method: 'GET', retry: 1 }, signal);
    return attempt<T>({ ...options, retry: 1 }, signal);
  }
}

function fetchObservable<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable<FetchResponse<T>>((subscriber) => {
    const abort = new AbortController();
    attemptWithSessionCheck<T>(options, abort.signal)
      .then((result) => {
        const method = (options.method ?? 'GET').toUpperCase();
        const message = (result.data as { message?: unknown } | undefined)?.message;
        if (
          options.showSuccessAlert !== false &&
          method !== 'GET' &&
          isLocalUrl(options.url) &&
          typeof message === 'string'
        ) {
          getAppEvents().publish({ type: AppEvents.alertSuccess.name, payload: [message] });
        }
        subscriber.next(result);
        subscriber.complete();
      })
      .catch((err: FetchError) => {
        if (!abort.signal.aborted) {
          subscriber.error(processRequestError(options, err));
        }
      });
    return () => abort.abort();
  });
}

/** The part of Grafana's BackendSrv this app's plugin calls, over the browser's fetch. */
export function createBackendSrv(): BackendSrv {
  const request = <T>(options: BackendSrvRequest) =>
    lastValueFrom(fetchObservable<T>(options).pipe(map((r) => r.data)));
  const srv = {
    fetch: fetchObservable,
    request,
    datasourceRequest: (options: BackendSrvRequest) => lastValueFrom(fetchObservable(options)),
    get: (
      url: string,
      params?: BackendSrvRequest['params'],
      requestId?: string,
      options?: Partial<BackendSrvRequest>
    ) => request({ ...options, method: 'GET', url, params, requestId }),
    delete: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, method: 'DELETE', url, data }),
    post: (url: string, data?: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, method: 'POST', url, data }),
    patch: (url: string, data: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, method: 'PATCH', url, data }),
    put: (url: string, data: unknown, options?: Partial<BackendSrvRequest>) =>
      request({ ...options, method: 'PUT', url, data }),
  };
  // Grafana's BackendSrv has more (chunked, stream cancellation by requestId, token rotation on 401);
  // the plugin uses none of it, and a call to anything missing fails with a TypeError at once.
  return srv as unknown as BackendSrv;
}
