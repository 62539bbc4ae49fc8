// The error handler tells the database's failures from the client's: an HTTP-level error that happens
// to carry a connection code (a client aborting mid-body: ECONNRESET) is not reported as a database outage.
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandling } from '../../server/src/http/errors';

let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = Fastify({ logger: false });
  installErrorHandling(app);
  const thrower = (fields: Record<string, unknown>) => () => {
    throw Object.assign(new Error(String(fields.message)), fields);
  };
  app.get('/client-abort', thrower({ statusCode: 400, code: 'ECONNRESET', message: 'aborted' }));
  app.get('/client-timeout', thrower({ statusCode: 408, code: 'FST_ERR_TIMEOUT', message: 'Request timeout' }));
  app.get('/database-gone', thrower({ code: '08006', message: 'connection failure' }));
  // Over real HTTP: Fastify's inject() needs an ESM-only dependency Jest does not load here.
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(() => app.close());

test.each([
  ['/client-abort', 400, 'invalid_request'],
  ['/client-timeout', 408, 'request_timeout'],
  ['/database-gone', 503, 'database_unavailable'],
])('%s answers %i %s', async (url, status, code) => {
  const res = await fetch(base + url);
  expect(res.status).toBe(status);
  expect((await res.json()).error.code).toBe(code);
});
