// Runs the service started, executing in the background after the 202 has been sent, and what
// happens to them at shutdown: finish within the grace period, else end the session so the engine
// records the run as abandoned (mv_ops.reap_abandoned).
import type { FastifyBaseLogger } from 'fastify';
import type { PoolClient } from 'pg';
import type { Pools } from '../db/pools';
import { ApiError } from '../http/errors';
import { requestRefresh, type RefreshDecision, type RefreshRequest } from './request';
import { driveRun } from './runner';

export interface AttemptReport {
  view: string;
  status: string;
  durationMs: number | null;
}

export interface RunManagerOptions {
  pools: Pools;
  log: FastifyBaseLogger;
  minIntervalSeconds: number;
  maxRunning: number;
  /** Bound on the decision query; the decision itself waits at most 5 s for its lock. */
  decisionTimeoutMs: number;
  onAttempt?: (a: AttemptReport) => void;
}

interface ActiveRun {
  pid: number;
  stop: boolean;
  done: Promise<void>;
}

export type Ask = Omit<RefreshRequest, 'minIntervalSeconds' | 'maxRunning'>;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export class RunManager {
  private readonly active = new Map<number, ActiveRun>();
  private closing = false;

  constructor(private readonly o: RunManagerOptions) {}

  get activeCount(): number {
    return this.active.size;
  }

  async request(ask: Ask): Promise<RefreshDecision> {
    if (this.closing) {
      throw new ApiError(503, 'shutting_down', 'The service is shutting down; retry on another instance or shortly.');
    }
    const client = await this.o.pools.runs.connect();
    let decision: RefreshDecision;
    try {
      decision = await requestRefresh(
        client,
        { ...ask, minIntervalSeconds: this.o.minIntervalSeconds, maxRunning: this.o.maxRunning },
        this.o.decisionTimeoutMs
      );
    } catch (err) {
      client.release(true);
      throw err;
    }
    if (decision.outcome === 'started' && decision.runId !== null) {
      this.execute(client, decision.runId);
    } else {
      client.release();
    }
    return decision;
  }

  private execute(client: PoolClient, runId: number): void {
    const entry: ActiveRun = { pid: 0, stop: false, done: Promise.resolve() };
    // A checked-out client whose session is killed emits 'error' besides failing its query.
    const onError = (err: Error) => this.o.log.warn({ runId, err }, 'refresh session lost');
    client.on('error', onError);
    entry.done = (async () => {
      try {
        entry.pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        const result = await driveRun(client, runId, {
          shouldStop: () => entry.stop,
          onStep: async (logId) => this.report(client, logId),
        });
        this.o.log.info({ runId, result }, 'refresh run ended');
        if (result !== 'stopped') {
          client.off('error', onError);
        }
        client.release(result === 'stopped');
      } catch (err) {
        // The session is unusable or gone; ending it lets the engine mark the run abandoned.
        this.o.log.warn({ runId, err }, 'refresh run interrupted');
        // Destroyed, not pooled: the listener stays to absorb the socket's last errors.
        client.release(true);
      } finally {
        this.active.delete(runId);
      }
    })();
    this.active.set(runId, entry);
  }

  private async report(client: PoolClient, logId: number): Promise<void> {
    if (!this.o.onAttempt) {
      return;
    }
    const { rows } = await client.query(
      'SELECT view_name, status, duration_ms FROM mv_ops.refresh_history WHERE log_id = $1',
      [logId]
    );
    if (rows[0]) {
      const durationMs = rows[0].duration_ms === null ? null : Number(rows[0].duration_ms);
      this.o.onAttempt({ view: rows[0].view_name, status: rows[0].status, durationMs });
    }
  }

  /** Stops accepting runs; waits up to graceMs for running ones, then ends their sessions. */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    const all = Promise.all([...this.active.values()].map((a) => a.done));
    const finished = await Promise.race([all.then(() => true), sleep(graceMs).then(() => false)]);
    if (finished) {
      return;
    }
    const victims = [...this.active.entries()];
    for (const [, run] of victims) {
      run.stop = true;
    }
    const pids = victims.map(([, run]) => run.pid).filter((pid) => pid > 0);
    this.o.log.warn({ runs: victims.map(([id]) => id) }, 'shutdown grace period over: abandoning running refreshes');
    try {
      await this.o.pools.query.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid', [pids]);
      await all;
      // reap_abandoned only acts once the sessions are gone from pg_stat_activity.
      for (let i = 0; i < 100; i++) {
        const left = await this.o.pools.query.query('SELECT 1 FROM pg_stat_activity WHERE pid = ANY ($1::int[])', [
          pids,
        ]);
        if (left.rowCount === 0) {
          break;
        }
        await sleep(50);
      }
      await this.o.pools.query.query('SELECT mv_ops.reap_abandoned()');
    } catch (err) {
      this.o.log.warn({ err }, 'could not mark abandoned runs; the next run will');
    }
  }
}
