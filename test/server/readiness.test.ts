// /healthz and /readyz, and recovery when the database restarts under a running service. The restart
// uses a private cluster: the shared one serves every other test file.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { installThreeTier, slowViewSql } from '../fixtures/threeTier';
import { pauseServer, restartServer, startCluster, type Cluster } from '../harness/cluster';
import { runMigrationCli } from '../harness/runMigrations';
import { openTestDatabase, waitFor, type TestDb } from '../harness/sql';
import { asAdmin, asReader, operatorUrl, startService, type Service } from './service';

jest.setTimeout(180_000);

describe('readiness on a database without pg_cron (a per-file test database)', () => {
  let db: TestDb;
  let url: string;
  beforeAll(async () => {
    db = await openTestDatabase('server_readiness');
    url = await operatorUrl(db.url);
  });
  afterAll(() => db?.close());

  test('healthz is green; readyz is red while nothing would run the schedule, green with the tick on', async () => {
    const plain = await startService(url);
    try {
      expect(await plain.get('/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
      const r = await plain.get('/readyz');
      expect(r.status).toBe(503);
      expect(r.body.checks).toMatchObject({
        database: { ok: true },
        migrations: { ok: true },
        scheduler: { ok: false, detail: expect.stringMatching(/no pg_cron job and TICK_ENABLED is off/) },
      });
    } finally {
      await plain.close();
    }
    const ticking = await startService(url, { TICK_ENABLED: 'true' });
    try {
      const r = await ticking.get('/readyz');
      expect(r.status).toBe(200);
      expect(r.body.checks.scheduler.detail).toMatch(/this service/);
    } finally {
      await ticking.close();
    }
  });

  test('readyz names a migration the database lacks', async () => {
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    const svc = await startService(url, { TICK_ENABLED: 'true' });
    try {
      await admin.query(`DELETE FROM mv_ops.schema_migrations WHERE name = '0070_mv_ops_service_requests'`);
      const r = await svc.get('/readyz');
      expect(r.status).toBe(503);
      expect(r.body.checks.migrations).toEqual({
        ok: false,
        detail: expect.stringMatching(/not applied: 0070_mv_ops_service_requests/),
      });
    } finally {
      await svc.close();
      await admin.end();
    }
  });
});

describe('the database restarts under a running service', () => {
  let cluster: Cluster;
  let svc: Service;
  beforeAll(async () => {
    cluster = await startCluster({ cronDatabase: 'svc' });
    const setup = new Client({ connectionString: cluster.url('postgres') });
    await setup.connect();
    await setup.query('CREATE DATABASE svc');
    await setup.end();
    const migrated = await runMigrationCli(cluster.url('svc'));
    expect(migrated.code).toBe(0);
    const c = new Client({ connectionString: cluster.url('svc') });
    await c.connect();
    await installThreeTier(c);
    await c.query(slowViewSql(6));
    // Paused, so pg_cron's minutely run_due never refreshes it at the moment the test does.
    await c.query(`UPDATE mv_ops.managed_view SET enabled = false WHERE view_name = 'slow'`);
    await c.end();
    svc = await startService(await operatorUrl(cluster.url('svc')), {
      DB_CONNECT_TIMEOUT_MS: '1000',
      DB_QUERY_TIMEOUT_MS: '2000',
      REQUEST_TIMEOUT_MS: '5000',
    });
  });
  afterAll(async () => {
    await svc?.close();
    cluster?.stop();
  });

  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const t0 = Date.now();
    const v = await fn();
    return [v, Date.now() - t0];
  };

  test('readyz is green with pg_cron scheduling, red while the database is down, green again after it restarts', async () => {
    const up = await svc.get('/readyz');
    expect(up.status).toBe(200);
    expect(up.body.checks.scheduler.detail).toMatch(/pg_cron job mv_ops_run_due/);
    expect((await svc.get('/api/views', asReader)).status).toBe(200);
    // A refresh in progress when the database goes away must not take the service down with it.
    const interrupted = await svc.post('/api/refresh', { views: ['fx.slow'] }, asAdmin);
    expect(interrupted.status).toBe(202);
    await waitFor(
      async () => (await svc.get(`/api/runs/${interrupted.body.runId}`, asReader)).body.counts.running === 1,
      'the slow refresh to start'
    );

    pauseServer(cluster);
    try {
      const [down, ms] = await timed(() => svc.get('/readyz'));
      expect(down.status).toBe(503);
      expect(down.body.checks.database.ok).toBe(false);
      expect(ms).toBeLessThan(4_000);

      // No request hangs: every route answers within its timeout with a JSON error.
      for (const call of [
        () => svc.get('/api/views', asReader),
        () => svc.get('/api/runs/1', asReader),
        () => svc.post('/api/refresh', { views: ['fx.daily'] }, asAdmin),
      ]) {
        const [r, took] = await timed(call);
        expect(r.status).toBe(503);
        expect(r.body.error.code).toBe('database_unavailable');
        expect(took).toBeLessThan(4_000);
      }
      const [metrics, took] = await timed(() => svc.get('/metrics', asReader));
      expect(metrics.status).toBe(200);
      expect(metrics.body).toMatch(/^mv_ops_database_up 0$/m);
      expect(took).toBeLessThan(4_000);
    } finally {
      restartServer(cluster);
    }

    await waitFor(async () => (await svc.get('/readyz')).status === 200, 'readyz to turn green', 30_000);
    const views: Array<{ pack: string }> = (await svc.get('/api/views', asReader)).body.views;
    expect(views.filter((v) => v.pack === 'fx')).toHaveLength(4);
    const run = await svc.post('/api/refresh', { views: ['fx.other_mv'] }, asAdmin);
    expect(run.status).toBe(202);
    await waitFor(
      async () => (await svc.get(`/api/runs/${run.body.runId}`, asReader)).body.status === 'succeeded',
      'the run'
    );
  });

  // SIGSTOP on the postmaster and every backend: sockets stay open but nothing answers, the case
  // where only timeouts keep requests from hanging.
  const signalAll = (signal: 'STOP' | 'CONT') => {
    const postmaster = readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0].trim();
    const children = execFileSync('pgrep', ['-P', postmaster]).toString().trim().split(/\s+/);
    execFileSync('kill', [`-${signal}`, ...children, postmaster]);
  };

  test('a database that stops answering: every route returns within its timeout, and all recover', async () => {
    await waitFor(async () => (await svc.get('/readyz')).status === 200, 'readyz green', 30_000);
    signalAll('STOP');
    try {
      for (const [what, call, status] of [
        ['healthz', () => svc.get('/healthz'), 200],
        ['readyz', () => svc.get('/readyz'), 503],
        ['views', () => svc.get('/api/views', asReader), 503],
        ['history', () => svc.get('/api/views/fx.daily/history', asReader), 503],
        ['run', () => svc.get('/api/runs/1', asReader), 503],
        ['refresh', () => svc.post('/api/refresh', { views: ['fx.daily'] }, asAdmin), 503],
        ['metrics', () => svc.get('/metrics', asReader), 200],
      ] as const) {
        const [r, took] = await timed(call);
        // Query timeout 2 s (+1 s client-side) is the longest bound any of these waits on.
        expect({ what, status: r.status, fast: took < 4_500 }).toEqual({ what, status, fast: true });
      }
    } finally {
      signalAll('CONT');
    }
    await waitFor(async () => (await svc.get('/readyz')).status === 200, 'readyz to turn green again', 30_000);
    expect((await svc.get('/api/views', asReader)).status).toBe(200);
  });
});
