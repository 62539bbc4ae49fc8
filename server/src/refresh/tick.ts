// The optional scheduler tick for databases without pg_cron: every interval, CALL mv_ops.run_due()
// and the overrun watchdog, in at most one service instance at a time.
import type { FastifyBaseLogger } from 'fastify';
import type { Pool } from 'pg';

// Session-level lock: held for the whole tick, released explicitly (or by the session ending).
const TICK_LOCK = `hashtext('mv_ops.service_tick')`;

export async function tickOnce(
  pool: Pool,
  log: FastifyBaseLogger,
  onSession: (pid: number) => void = () => undefined
): Promise<'ran' | 'skipped'> {
  const client = await pool.connect();
  // A checked-out client whose session is killed emits 'error' besides failing its query.
  const onError = (err: Error) => log.warn({ err }, 'scheduler tick session lost');
  client.on('error', onError);
  let broken = false;
  try {
    onSession((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    const got = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${TICK_LOCK}) AS ok`);
    if (!got.rows[0].ok) {
      return 'skipped';
    }
    try {
      // Without pg_cron nothing else runs the watchdog either.
      await client.query('SELECT mv_ops.cancel_overrunning()');
      const due = await client.query<{ run_id: string | null }>('CALL mv_ops.run_due()');
      log.info({ runId: due.rows[0]?.run_id ?? null }, 'scheduler tick');
    } finally {
      // After a lost session there is nothing to unlock: the lock went with it.
      await client.query(`SELECT pg_advisory_unlock(${TICK_LOCK})`).catch(() => undefined);
    }
    return 'ran';
  } catch (err) {
    broken = true;
    throw err;
  } finally {
    // Only a client going back to the pool sheds the listener; a destroyed one keeps absorbing errors.
    if (!broken) {
      client.off('error', onError);
    }
    client.release(broken);
  }
}

export interface Ticker {
  /** Waits up to graceMs for a tick in progress, then ends its session (the engine reaps the run). */
  stop(graceMs: number): Promise<void>;
}

export function startTicker(pool: Pool, intervalMs: number, log: FastifyBaseLogger): Ticker {
  let current: Promise<unknown> | undefined;
  let pid = 0;
  const timer = setInterval(() => {
    // A run_due still refreshing from the last tick: this process skips rather than piling up sessions.
    if (current) {
      return;
    }
    current = tickOnce(pool, log, (p) => (pid = p))
      .catch((err) => log.warn({ err }, 'scheduler tick failed'))
      .finally(() => (current = undefined));
  }, intervalMs);
  return {
    stop: async (graceMs) => {
      clearInterval(timer);
      const running = current;
      if (!running) {
        return;
      }
      const late = new Promise<'late'>((r) => setTimeout(() => r('late'), graceMs).unref());
      if ((await Promise.race([running, late])) === 'late' && pid) {
        log.warn({ pid }, 'shutdown grace period over: ending the scheduled run');
        await pool.query('SELECT pg_terminate_backend($1)', [pid]).catch(() => undefined);
      }
      await running;
    },
  };
}
