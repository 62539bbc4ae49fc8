// A stand-in for Grafana's backendSrv in Jest: answers by "METHOD url" and records every request, so
// the tests exercise the real API client and only Grafana's transport is replaced.
import type { BackendSrvRequest } from '@grafana/runtime';
import { Observable, of, throwError } from 'rxjs';

export interface FakeAnswer {
  status: number;
  data?: unknown;
}

type Handler = FakeAnswer | ((request: BackendSrvRequest) => FakeAnswer | Promise<FakeAnswer>);

export interface FakeBackend {
  fetch: (request: BackendSrvRequest) => Observable<{ data: unknown; status: number }>;
  on(method: string, url: string, handler: Handler): FakeBackend;
  calls(method?: string, url?: string): BackendSrvRequest[];
}

export function fakeBackend(): FakeBackend {
  const handlers = new Map<string, Handler>();
  const seen: BackendSrvRequest[] = [];
  const answer = (request: BackendSrvRequest, a: FakeAnswer) =>
    a.status < 400
      ? of({ data: a.data, status: a.status })
      : // The shape of Grafana's FetchError: what isFetchError() recognises.
        throwError(() => ({ status: a.status, data: a.data ?? {}, config: request }));
  const fake: FakeBackend = {
    fetch(request) {
      seen.push(request);
      const handler = handlers.get(`${request.method ?? 'GET'} ${request.url}`);
      if (!handler) {
        return throwError(() => ({ status: 404, data: { message: `no fake for ${request.url}` }, config: request }));
      }
      if (typeof handler !== 'function') {
        return answer(request, handler);
      }
      return new Observable((sub) => {
        Promise.resolve(handler(request)).then(
          (a) => answer(request, a).subscribe(sub),
          (err) => sub.error(err)
        );
      });
    },
    on(method, url, handler) {
      handlers.set(`${method} ${url}`, handler);
      return fake;
    },
    calls: (method, url) => seen.filter((r) => (!method || (r.method ?? 'GET') === method) && (!url || r.url === url)),
  };
  return fake;
}
