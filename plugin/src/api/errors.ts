// Every failure of a call through the app's proxy becomes one ApiError, whether the refresh service
// answered ({error: {code, message, retryAfter?}}) or Grafana itself did (route refused, service down).
import { isFetchError } from '@grafana/runtime';

/** Codes Grafana or the browser produce; anything else is the service's own code (unauthorized, too_soon...). */
export type TransportCode =
  | 'session_expired'
  | 'route_denied'
  | 'route_not_found'
  | 'service_unreachable'
  | 'network'
  | 'cancelled'
  | 'http_error';

export class ApiError extends Error {
  constructor(
    readonly code: TransportCode | string,
    message: string,
    /** HTTP status, 0 when no answer arrived. */
    readonly status: number,
    /** Seconds to wait before trying again, when the service said so. */
    readonly retryAfter?: number
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ServiceErrorBody {
  error: { code: string; message: string; retryAfter?: number };
}

const isServiceError = (data: unknown): data is ServiceErrorBody => {
  const e = (data as ServiceErrorBody | undefined)?.error;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string';
};

const grafanaMessage = (data: unknown): string | undefined => {
  const m = (data as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' && m.length > 0 ? m : undefined;
};

/** The one mapping from whatever a backendSrv call threw to an ApiError. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) {
    return err;
  }
  if (!isFetchError(err)) {
    const said = (err as { message?: unknown } | undefined)?.message;
    const why = typeof said === 'string' && said ? said : typeof err === 'string' ? err : 'no answer arrived';
    return new ApiError('network', `The request did not complete: ${why}.`, 0);
  }
  if (err.cancelled) {
    return new ApiError('cancelled', 'The request was cancelled.', err.status ?? 0);
  }
  const status = err.status ?? 0;
  if (isServiceError(err.data)) {
    const { code, message, retryAfter } = err.data.error;
    // Whoever reads this (often a Viewer) cannot fix a secret; say who can, and where.
    const shown =
      code === 'unauthorized'
        ? `The refresh service did not accept the app's secret: an admin must check the app's configuration (Test connection names the problem).`
        : message;
    return new ApiError(code, shown, status, typeof retryAfter === 'number' ? retryAfter : undefined);
  }
  const said = grafanaMessage(err.data);
  // pkg/api/pluginproxy/pluginproxy.go answers a failed reqRole check with this message.
  if (status === 403 && said && /route access denied/i.test(said)) {
    return new ApiError('route_denied', 'Your Grafana role does not allow this action.', status);
  }
  // The service's own 401s carry its error shape; one without it is Grafana's: no valid session.
  if (status === 401) {
    return new ApiError('session_expired', 'Your Grafana session has ended: sign in again.', status);
  }
  if (status === 404) {
    return new ApiError(
      'route_not_found',
      `Grafana has no proxy route for this request${said ? ` (${said})` : ''}: is the app enabled and up to date?`,
      status
    );
  }
  // Grafana's reverse proxy answers 502 when the service refuses or drops the connection, 504 on timeout.
  if (status === 502 || status === 504) {
    return new ApiError(
      'service_unreachable',
      'Grafana could not reach the refresh service. Check that it is running and that the app’s service URL is right.',
      status
    );
  }
  if (status <= 0) {
    return new ApiError('network', 'No answer from Grafana: check your network connection.', 0);
  }
  return new ApiError('http_error', `Unexpected answer ${status}${said ? `: ${said}` : ''}.`, status);
}
