import { ApiError, toApiError } from './errors';

// What backendSrv throws: a FetchError ({status, data, ...}); anything else is not one.
const fetchError = (status: number, data: unknown, extra: object = {}) => ({ status, data, config: {}, ...extra });

describe('toApiError', () => {
  it('keeps the service’s own error code, message and retryAfter', () => {
    const e = toApiError(
      fetchError(429, { error: { code: 'too_soon', message: 'Refreshed 10 s ago.', retryAfter: 50 } })
    );
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 'too_soon', message: 'Refreshed 10 s ago.', status: 429, retryAfter: 50 });
  });

  it('drops a retryAfter that is not a number', () => {
    const e = toApiError(fetchError(503, { error: { code: 'draining', message: 'Shutting down.', retryAfter: '5' } }));
    expect(e).toMatchObject({ code: 'draining', status: 503 });
    expect(e.retryAfter).toBeUndefined();
  });

  it('reads a service 401 as the service’s code, not a transport one', () => {
    const e = toApiError(fetchError(401, { error: { code: 'unauthorized', message: 'A valid secret is required.' } }));
    expect(e).toMatchObject({ code: 'unauthorized', status: 401 });
    // Said for whoever sees it, often a Viewer: not the header name, but who can fix it and where.
    expect(e.message).toMatch(/an admin must check the app's configuration/);
  });

  it('maps Grafana’s failed role check to route_denied', () => {
    const e = toApiError(fetchError(403, { message: 'plugin proxy route access denied' }));
    expect(e).toMatchObject({ code: 'route_denied', status: 403 });
  });

  it('leaves any other 403 from Grafana as http_error', () => {
    const e = toApiError(fetchError(403, { message: 'Access Denied' }));
    expect(e).toMatchObject({ code: 'http_error', status: 403, message: 'Unexpected answer 403: Access Denied.' });
  });

  it('maps a 404 without a service body to route_not_found, with Grafana’s message', () => {
    const e = toApiError(fetchError(404, { message: 'Not found' }));
    expect(e.code).toBe('route_not_found');
    expect(e.status).toBe(404);
    expect(e.message).toContain('(Not found)');
    expect(e.message).toContain('is the app enabled and up to date?');
  });

  it('keeps the service’s own 404 (an unknown view) as its code', () => {
    const e = toApiError(fetchError(404, { error: { code: 'not_found', message: 'No view sales.x.' } }));
    expect(e).toMatchObject({ code: 'not_found', status: 404 });
  });

  it.each([502, 504])('maps %i from Grafana’s proxy to service_unreachable', (status) => {
    const e = toApiError(fetchError(status, { message: 'Bad Gateway' }));
    expect(e).toMatchObject({ code: 'service_unreachable', status });
    expect(e.message).toContain('could not reach the refresh service');
  });

  it("maps Grafana's own 401 (no service error body) to session_expired", () => {
    expect(toApiError(fetchError(401, { message: 'Unauthorized' }))).toMatchObject({
      code: 'session_expired',
      status: 401,
      message: 'Your Grafana session has ended: sign in again.',
    });
  });

  it('maps status 0 (no answer) to network', () => {
    expect(toApiError(fetchError(0, undefined))).toMatchObject({ code: 'network', status: 0 });
  });

  it('maps a cancelled request to cancelled, even with a service body', () => {
    const e = toApiError(fetchError(-1, { error: { code: 'x', message: 'y' } }, { cancelled: true }));
    expect(e).toMatchObject({ code: 'cancelled', message: 'The request was cancelled.' });
  });

  it.each([
    [500, { message: 'Failed to fetch plugin settings' }, 'Unexpected answer 500: Failed to fetch plugin settings.'],
    [418, {}, 'Unexpected answer 418.'],
    [503, 'upstream overloaded', 'Unexpected answer 503.'],
  ])('maps other statuses (%i) to http_error', (status, data, message) => {
    expect(toApiError(fetchError(status, data))).toMatchObject({ code: 'http_error', status, message });
  });

  it('maps something that is not a FetchError to network', () => {
    const e = toApiError(new TypeError('Failed to fetch'));
    expect(e).toMatchObject({ code: 'network', status: 0 });
    expect(e.message).toContain('Failed to fetch');
  });

  it('says no answer arrived for a thrown object without a message, never "[object Object]"', () => {
    expect(toApiError({ reason: 'x' }).message).toBe('The request did not complete: no answer arrived.');
  });

  it('returns an ApiError unchanged', () => {
    const original = new ApiError('too_soon', 'wait', 429, 5);
    expect(toApiError(original)).toBe(original);
  });
});
