// Two pools with different jobs: short status queries with a hard timeout, and long-lived sessions
// that execute refresh runs (a run belongs to the session that claimed it, see mv_ops.claim_run).
import { Pool } from 'pg';

export interface PoolOptions {
  databaseUrl: string;
  queryTimeoutMs: number;
  connectTimeoutMs: number;
  maxRunningRuns: number;
  applicationName: string;
  onError: (err: Error) => void;
}

export interface Pools {
  query: Pool;
  runs: Pool;
  end(): Promise<void>;
}

export function createPools(o: PoolOptions): Pools {
  const query = new Pool({
    connectionString: o.databaseUrl,
    max: 5,
    connectionTimeoutMillis: o.connectTimeoutMs,
    // Server-side limit, plus a client-side one for when the server stops answering altogether.
    statement_timeout: o.queryTimeoutMs,
    query_timeout: o.queryTimeoutMs + 1_000,
    application_name: `${o.applicationName} (status)`,
  });
  const runs = new Pool({
    connectionString: o.databaseUrl,
    // Room for the runs the cap allows, the optional tick, and requests that only join a run.
    max: o.maxRunningRuns + 3,
    connectionTimeoutMillis: o.connectTimeoutMs,
    // No statement timeout: a refresh may legitimately run long; mv_ops' watchdog bounds it.
    application_name: `${o.applicationName} (runs)`,
  });
  // An idle client whose server went away emits 'error'; unhandled, it would crash the process.
  query.on('error', o.onError);
  runs.on('error', o.onError);
  return {
    query,
    runs,
    end: async () => {
      await Promise.all([query.end(), runs.end()]);
    },
  };
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/** True when an error means "the database is not there right now" rather than "the query is wrong". */
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) {
    return false;
  }
  // 57P01-03: admin shutdown, crash shutdown, cannot connect now (starting up); 08xxx: connection exceptions.
  if (e.code && (UNAVAILABLE_CODES.has(e.code) || /^57P0[1-3]$/.test(e.code) || e.code.startsWith('08'))) {
    return true;
  }
  return /timeout|Connection terminated|connection (closed|ended)|Client has encountered a connection error/i.test(
    e.message ?? ''
  );
}
