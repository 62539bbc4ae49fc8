// What a person should read when a refresh request fails: one sentence per cause, saying what to do.
import type { ApiError } from '../api/errors';
import { REFRESH_NEEDS_ADMIN } from '../auth/role';

export interface Problem {
  title: string;
  detail: string;
  /** Seconds until a new request may succeed (the button waits that long). */
  retryAfter?: number;
}

export function describeRefreshError(e: ApiError): Problem {
  switch (e.code) {
    case 'route_denied':
      return { title: 'Not allowed', detail: `${REFRESH_NEEDS_ADMIN} Grafana refused the request.` };
    case 'too_soon':
      return { title: 'Refreshed moments ago', detail: e.message, retryAfter: e.retryAfter };
    case 'busy':
      return { title: 'Too many refreshes running', detail: e.message, retryAfter: e.retryAfter };
    case 'unauthorized':
      return { title: 'The app is misconfigured', detail: e.message };
    case 'forbidden':
      // The service got the read secret on the refresh route: the two fields were swapped or equal.
      return {
        title: 'The app is misconfigured',
        detail: `${e.message} The app's admin secret field holds the read secret: an admin must fix it on the app's configuration page.`,
      };
    case 'identity_required':
    case 'invalid_identity':
      return {
        title: 'Your identity could not be verified',
        detail: `${e.message} Grafana must forward signed ID tokens (ID forwarding); see the app's documentation.`,
      };
    case 'service_unreachable':
    case 'network':
      return {
        title: 'Refresh service unreachable',
        detail: `${e.message} Trying again is safe: a repeated click reuses the same request key, so it cannot start a second run.`,
      };
    default:
      if (e.status === 503) {
        return { title: 'Refresh service unavailable', detail: e.message, retryAfter: e.retryAfter };
      }
      return { title: 'Refresh failed to start', detail: e.message, retryAfter: e.retryAfter };
  }
}
