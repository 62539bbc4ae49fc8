// One refresh of a whole pack, timed as its caller waits for it, with what the engine logged for each view.
import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import type { RefreshMeasurement } from './report';

/** Refreshes the whole pack as `trigger` and reads what the engine logged for each view. */
export async function refreshPack(
  c: Client,
  pack: string,
  trigger: 'schedule' | 'manual'
): Promise<RefreshMeasurement> {
  const started = performance.now();
  const { rows } = await c.query<{ run_id: string }>(
    `CALL mv_ops.refresh(pack => $1, trigger => $2, requested_by => 'bench')`,
    [pack, trigger]
  );
  const wallMs = performance.now() - started;
  const runId = Number(rows[0].run_id);
  const log = await c.query<{
    view_name: string;
    status: string;
    duration_ms: string | null;
    refresh_type: string | null;
    key_count: number | null;
    message: string | null;
  }>(
    `SELECT view_name, status, duration_ms, refresh_type, key_count, message
     FROM mv_ops.refresh_log WHERE run_id = $1 ORDER BY position`,
    [runId]
  );
  // A skipped view (a failed upstream, a refresh already running) would make the run look faster than it is.
  const failed = log.rows.filter((r) => r.status !== 'succeeded');
  if (failed.length > 0) {
    throw new Error(
      `${trigger} refresh did not succeed for ${failed.map((f) => `${f.view_name} (${f.status}: ${f.message})`).join(', ')}`
    );
  }
  return {
    trigger,
    runId,
    wallMs,
    views: log.rows.map((r) => ({
      view: r.view_name,
      status: r.status,
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
      refreshType: r.refresh_type,
      keyCount: r.key_count,
    })),
  };
}
