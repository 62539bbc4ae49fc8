// The real refresh service as an operator runs it: `npm run server` (server/src/server.ts) in its own
// process, configured only through the variables .env.example documents. Stopping it is a SIGTERM,
// as a process manager sends; starting it again uses the same port, as a restarted service would.
//
// Nothing from the developer's machine reaches it (test/harness/serviceLaunch.ts): only exactly the
// documented variables set here, in an empty working folder.
import type { ChildProcess } from 'node:child_process';
import { serviceLaunch } from '../../harness/serviceLaunch';

export interface ServiceEnv {
  DATABASE_URL: string;
  PORT: string;
  READ_SECRET: string;
  ADMIN_SECRET: string;
  GRAFANA_JWKS_URL: string;
  GRAFANA_ID_ISSUER: string;
  GRAFANA_ID_AUDIENCE: string;
}

export interface ServiceProcess {
  url: string;
  running(): boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The service's recent output, for a failure message. */
  output(): string;
}

const STARTUP_MS = 30_000;

async function waitUntilLive(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the refresh service exited with code ${child.exitCode}`);
    }
    try {
      if ((await fetch(`${url}/healthz`)).ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the refresh service did not answer ${url}/healthz within ${STARTUP_MS / 1000} s`);
}

export function serviceProcess(env: ServiceEnv): ServiceProcess {
  const url = `http://127.0.0.1:${env.PORT}`;
  let child: ChildProcess | undefined;
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  const launch = serviceLaunch({
    ...env,
    HOST: '127.0.0.1',
    // A verified X-Grafana-Id for every refresh: an unsigned X-Grafana-User is never accepted.
    REQUIRE_VERIFIED_IDENTITY: 'true',
    // Each spec starts its own refresh of views another spec may have refreshed seconds earlier.
    REFRESH_MIN_INTERVAL_SECONDS: '0',
    // The database has no pg_cron (see database.ts): the service's tick is its scheduler. The
    // longest interval keeps it from firing during the run (its first tick comes one interval in).
    TICK_ENABLED: 'true',
    TICK_INTERVAL_MS: '3600000',
    SHUTDOWN_GRACE_MS: '2000',
    LOG_LEVEL: 'warn',
  });
  // The service must not outlive the run, however the run ends (Ctrl-C, a CI timeout).
  process.once('exit', () => {
    child?.kill('SIGKILL');
    launch.cleanup();
  });
  return {
    url,
    running: () => child !== undefined && child.exitCode === null,
    output: () => log,
    async start() {
      if (child && child.exitCode === null) {
        return;
      }
      child = launch.spawn();
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      try {
        await waitUntilLive(url, child);
      } catch (err) {
        child.kill('SIGKILL');
        throw new Error(`${(err as Error).message}\n${log}`);
      }
    },
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null) {
        return;
      }
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const late = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(late);
    },
  };
}
