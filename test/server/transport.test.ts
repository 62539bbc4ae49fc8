// Below the routes: a client too slow to send its request (headers or body) is cut off at
// REQUEST_TIMEOUT_MS (not up to 30 s later, nor never), and malformed HTTP gets the error shape too.
import { openRaw } from './rawHttp';
import { ADMIN_SECRET, SECRET_HEADER, startService, type Service } from './service';

jest.setTimeout(30_000);

let svc: Service;

beforeAll(async () => {
  // Nothing here reaches the database.
  svc = await startService('postgresql://nobody@127.0.0.1:1/none', { REQUEST_TIMEOUT_MS: '1000' });
});
afterAll(() => svc?.close());

test('a request whose headers never finish gets 408 in the error shape within its timeout', async () => {
  const conn = await openRaw(svc.base);
  conn.write('GET /api/views HTTP/1.1\r\nHost: x\r\n');
  const a = await conn.answer;
  expect(a.status).toBe(408);
  expect(JSON.parse(a.body)).toEqual({ error: { code: 'request_timeout', message: expect.any(String) } });
  expect(a.ms).toBeGreaterThanOrEqual(1_000);
  // The check runs every 100 ms at this timeout; Node's default would answer after up to 31 s.
  expect(a.ms).toBeLessThan(2_000);
});

test.each([
  ['stops arriving', 0],
  ['trickles in, a byte every 200 ms', 200],
])('a body that %s is cut off with 408 once REQUEST_TIMEOUT_MS has passed', async (_what, everyMs) => {
  const conn = await openRaw(svc.base);
  conn.write(
    `POST /api/refresh HTTP/1.1\r\nHost: x\r\n${SECRET_HEADER}: ${ADMIN_SECRET}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"vi'
  );
  const trickle = everyMs ? setInterval(() => conn.write(' '), everyMs) : undefined;
  try {
    const a = await conn.answer;
    expect(a.status).toBe(408);
    expect(JSON.parse(a.body).error.code).toBe('request_timeout');
    expect(a.ms).toBeLessThan(2_000);
  } finally {
    clearInterval(trickle);
  }
});

test('a request answered before its body arrived gets that one answer: the body deadline closes the connection without a second (408) response', async () => {
  const conn = await openRaw(svc.base);
  // No secret: refused in onRequest, before the body is read.
  conn.write(
    'POST /api/refresh HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"vi'
  );
  const a = await conn.answer;
  expect(a.status).toBe(401);
  expect(a.raw.match(/^HTTP\/1\.1 \d{3}/gm)).toEqual(['HTTP/1.1 401']);
  expect(a.ms).toBeLessThan(2_000);
});

test('malformed HTTP is 400 in the error shape', async () => {
  const conn = await openRaw(svc.base);
  conn.write('GET /api/views HTTP/1.1\r\nHost x\r\n\r\n');
  const a = await conn.answer;
  expect(a.status).toBe(400);
  expect(JSON.parse(a.body)).toEqual({ error: { code: 'invalid_request', message: 'Malformed HTTP request.' } });
});
