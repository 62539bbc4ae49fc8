// Executes a claimed run step by step, exactly as CALL mv_ops.refresh does, but from the client:
// each statement is its own transaction in autocommit mode, which is the COMMIT between views the
// engine relies on. Used by the service (in the background) and by the command line (in the foreground).
import type { ClientBase } from 'pg';

export type StepOutcome = 'succeeded' | 'failed' | 'skipped' | null;

export interface DriveHooks {
  /** Checked before each view: true stops the run between views (shutdown). */
  shouldStop?: () => boolean;
  onStep?: (logId: number, outcome: StepOutcome) => void | Promise<void>;
}

export type RunResult = 'succeeded' | 'failed' | 'stopped';

export async function driveRun(client: ClientBase, runId: number, hooks: DriveHooks = {}): Promise<RunResult> {
  for (;;) {
    if (hooks.shouldStop?.()) {
      return 'stopped';
    }
    const next = await client.query<{ step: string | null }>('SELECT mv_ops.next_step($1) AS step', [runId]);
    const step = next.rows[0].step;
    if (step === null) {
      break;
    }
    // Committed before the refresh starts, so a session that dies mid-refresh leaves evidence.
    await client.query('SELECT mv_ops.begin_step($1)', [step]);
    const done = await client.query<{ outcome: StepOutcome }>('SELECT mv_ops.refresh_step($1) AS outcome', [step]);
    await hooks.onStep?.(Number(step), done.rows[0].outcome);
  }
  const fin = await client.query<{ status: 'succeeded' | 'failed' }>('SELECT mv_ops.finish_run($1) AS status', [runId]);
  return fin.rows[0].status;
}
