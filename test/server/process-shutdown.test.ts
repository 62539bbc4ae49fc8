// Graceful shutdown of the real process (`npm run server`, via tsx): on SIGTERM it stops accepting
// connections at once, lets a running refresh finish within SHUTDOWN_GRACE_MS or ends it as
// abandoned, and exits 0.
import type { Client } from 'pg';
import { installThreeTier, logOf, slowViewSql } from '../fixtures/threeTier';
import { freePort } from '../harness/freePort';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { accepting, spawnServer, type ServerProcess } from './process';
import { ADMIN_SECRET, operatorUrl, READ_SECRET, SECRET_HEADER } from './service';

jest.setTimeout(90_000);

const SLOW_SECONDS = 4;
let db: TestDb;
let c: Client;
let url: string;

beforeAll(async () => {
  db = await openTestDatabase('server_process_shutdown');
  c = await db.session();
  await installThreeTier(c);
  await c.query(slowViewSql(SLOW_SECONDS));
  url = await operatorUrl(db.url);
});
afterAll(() => db?.close());

async function startedWithSlowRefresh(graceMs: number): Promise<{ s: ServerProcess; port: number; runId: number }> {
  const port = await freePort();
  const s = spawnServer({
    DATABASE_URL: url,
    READ_SECRET,
    ADMIN_SECRET,
    PORT: String(port),
    SHUTDOWN_GRACE_MS: String(graceMs),
    REFRESH_MIN_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'info',
  });
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status === 200,
    'the server to answer',
    30_000
  );
  const r = await fetch(`http://127.0.0.1:${port}/api/refresh`, {
    method: 'POST',
    headers: { [SECRET_HEADER]: ADMIN_SECRET, 'content-type': 'application/json' },
    body: JSON.stringify({ views: ['fx.slow'] }),
  });
  expect(r.status).toBe(202);
  const { runId } = (await r.json()) as { runId: number };
  await waitFor(async () => (await logOf(c, runId)).some((l) => l.status === 'running'), 'the refresh to start');
  return { s, port, runId };
}

const runStatus = async (runId: number) =>
  (await c.query(`SELECT status FROM mv_ops.refresh_run WHERE run_id = $1`, [runId])).rows[0].status;

test('within the grace period: no new connections while draining, the refresh succeeds, exit code 0', async () => {
  const { s, port, runId } = await startedWithSlowRefresh(30_000);
  try {
    s.child.kill('SIGTERM');
    await waitFor(async () => !(await accepting(port)), 'the listening socket to close', 2_000);
    // Refused while the refresh is still running: the service stopped accepting before it finished.
    expect((await logOf(c, runId)).map((l) => l.status)).toEqual(['running']);
    const { code } = await s.exited;
    expect({ code, output: s.output() }).toEqual({ code: 0, output: expect.stringMatching(/shutting down/) });
    expect(await runStatus(runId)).toBe('succeeded');
    expect((await logOf(c, runId)).map((l) => l.status)).toEqual(['succeeded']);
  } finally {
    s.child.kill('SIGKILL');
  }
});

test('past the grace period: the refresh is recorded abandoned within the grace period and the exit code is 0', async () => {
  const graceMs = 500;
  const { s, port, runId } = await startedWithSlowRefresh(graceMs);
  try {
    const signalled = Date.now();
    s.child.kill('SIGTERM');
    const { code, at } = await s.exited;
    expect({ code, output: s.output() }).toEqual({ code: 0, output: expect.stringMatching(/abandoning running/) });
    // Grace, then ending the session and marking the run: well before the refresh could have finished.
    expect(at - signalled).toBeLessThan(graceMs + 2_500);
    expect(at - signalled).toBeLessThan(SLOW_SECONDS * 1_000);
    expect(await accepting(port)).toBe(false);
    expect(await runStatus(runId)).toBe('failed');
    const [attempt] = await logOf(c, runId);
    expect(attempt).toMatchObject({ status: 'failed', message: expect.stringMatching(/^abandoned: the session/) });
  } finally {
    s.child.kill('SIGKILL');
  }
});
