// One error shape for every failure, {error: {code, message, retryAfter?}}; details of 5xx stay in the log.
// retryAfter repeats the Retry-After header in the body: Grafana's backendSrv hands a plugin the body of a
// failed request but not its headers, so the app could not otherwise tell when to try again.
import type { FastifyError, FastifyInstance } from 'fastify';
import { isUnavailable } from '../db/pools';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message);
  }
}

export const errorBodySchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, retryAfter: { type: 'integer' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

const CLIENT_CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

// Engine errors whose message is written for callers (unknown view, unknown pack...).
const CALLER_SQLSTATES = new Set(['22023']);

function classify(err: FastifyError): ApiError | undefined {
  if (err instanceof ApiError) {
    return err;
  }
  // PostgreSQL errors carry their SQLSTATE in `code` and have no statusCode.
  const pgCode = err.statusCode ? undefined : err.code;
  if (pgCode && CALLER_SQLSTATES.has(pgCode)) {
    return new ApiError(400, 'invalid_request', err.message);
  }
  // 57014: statement_timeout; 55P03: lock_timeout (another decision held the lock too long).
  if (pgCode === '57014' || pgCode === '55P03' || /Query read timeout/.test(err.message)) {
    return new ApiError(503, 'database_timeout', 'The database did not answer in time; retry shortly.', {
      'retry-after': '5',
    });
  }
  // An HTTP-level error (statusCode set) such as a client aborting mid-body can carry ECONNRESET or a
  // "timeout" message: that is the client's connection, not the database's.
  if (!err.statusCode && isUnavailable(err)) {
    return new ApiError(503, 'database_unavailable', 'The database is not reachable right now; retry shortly.', {
      'retry-after': '5',
    });
  }
  if (err.validation) {
    return new ApiError(400, 'invalid_request', err.message);
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return new ApiError(status, CLIENT_CODES[status] ?? 'invalid_request', err.message);
  }
  return undefined;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = classify(err);
    if (known) {
      if (known.statusCode >= 500) {
        request.log.warn({ err }, known.message);
      }
      const retryAfter = known.headers['retry-after'];
      return reply
        .code(known.statusCode)
        .headers(known.headers)
        .send({
          error: {
            code: known.code,
            message: known.message,
            ...(retryAfter === undefined ? {} : { retryAfter: Number(retryAfter) }),
          },
        });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'internal', message: 'Internal error; see the service log.' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: { code: 'not_found', message: `No route for ${request.method} ${request.url.split('?')[0]}` } })
  );
}
