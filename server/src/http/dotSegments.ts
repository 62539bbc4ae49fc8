// Paths with "." or ".." segments are refused before routing. Grafana's app proxy forwards what
// follows a `*` route unnormalised (a Viewer's `api/views/..%2F..%2Fmetrics` arrives as
// /api/views/../../metrics with the read secret); Fastify does not resolve it today, but any proxy or
// load balancer in between that does would let a Viewer-level route reach routes outside its prefix.
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors';

function hasDotSegment(rawUrl: string): boolean {
  const path = rawUrl.split('?')[0];
  return path.split('/').some((segment) => {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      // A malformed escape is the router's to refuse; it is no dot segment.
    }
    // %2F inside a segment decodes to further segments: check those too.
    return decoded.split(/[/\\]/).some((s) => s === '.' || s === '..');
  });
}

export function refuseDotSegments(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (hasDotSegment(request.raw.url ?? '')) {
      throw new ApiError(400, 'invalid_request', 'Paths with "." or ".." segments are not accepted.');
    }
  });
}
