// The optional scheduler tick for databases without pg_cron: every interval, CALL mv_ops.run_due()
// and the overrun watchdog, in at most one service instance at a time.
import type { FastifyBaseLogger } from 'fastify';
import type { Pool } from 'pg';

// Session-level lock: held for the whole tick, released explicitly (or by the session ending).
const TICK_LOCK = `hashtext('mv_ops.service_tick')`;

export async function tickOnce(pool: Pool, log: FastifyBaseLogger): Promise<'ran' | 'skipped'> {
  const client = await pool.connect();
  let broken = false;
  try {
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
      await client.query(`SELECT pg_advisory_unlock(${TICK_LOCK})`);
    }
    return 'ran';
  } catch (err) {
    broken = true;
    throw err;
  } finally {
    client.release(broken);
  }
}

export interface Ticker {
  stop(): Promise<void>;
}

export function startTicker(pool: Pool, intervalMs: number, log: FastifyBaseLogger): Ticker {
  let current: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    current = tickOnce(pool, log).catch((err) => log.warn({ err }, 'scheduler tick failed'));
  }, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await current;
    },
  };
}
