// Errors Node's HTTP parser raises before Fastify has a request (a client too slow to send its request,
// malformed HTTP, oversized headers): answered in the same {error: {code, message}} shape as the routes.
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

const ANSWERS: Record<string, [number, string, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request_timeout', 'The request did not arrive in time.'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'headers_too_large', 'The headers are too large.'],
};
const MALFORMED: [number, string, string, string] = [400, 'Bad Request', 'invalid_request', 'Malformed HTTP request.'];

export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  // A reset connection is gone: there is nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) {
    return;
  }
  const [status, reason, code, message] = ANSWERS[err.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`
    );
  }
  socket.destroy();
}

/**
 * How often Node looks for requests past REQUEST_TIMEOUT_MS. Its default (30 s) would let a slow client
 * hold a socket for up to 30 s beyond the configured timeout.
 */
export const timeoutCheckInterval = (requestTimeoutMs: number): number =>
  Math.max(50, Math.min(1_000, Math.floor(requestTimeoutMs / 10)));

/**
 * Node's request timeout stops at the headers: a body that stalls or trickles in would hold the
 * request open (the idle timeout only catches silence). The body must therefore be complete within
 * REQUEST_TIMEOUT_MS of its headers, or the client gets 408 and the connection is closed.
 */
export function installBodyDeadline(app: FastifyInstance, timeoutMs: number): void {
  app.addHook('onRequest', async (request) => {
    const { raw } = request;
    const hasBody = Number(raw.headers['content-length'] ?? 0) > 0 || raw.headers['transfer-encoding'] !== undefined;
    if (!hasBody || raw.complete) {
      return;
    }
    const late = Object.assign(new Error('request body not received in time'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    const timer = setTimeout(() => clientErrorHandler(late, raw.socket), timeoutMs);
    timer.unref();
    raw.once('end', () => clearTimeout(timer));
    raw.once('close', () => clearTimeout(timer));
  });
}
