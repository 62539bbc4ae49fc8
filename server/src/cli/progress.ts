// Progress of a run while the command line waits: a table redrawn in place on a terminal, one line
// per change otherwise (CI logs, pipes).
import type { Attempt, RunStatus } from '../refresh/queries';
import { table } from './table';

/** How an attempt refreshed: "full", "incremental · 3 keys"; empty before it started. */
export function refreshKind(s: Pick<Attempt, 'refreshType' | 'keyCount'>): string {
  if (s.refreshType === 'incremental') {
    return s.keyCount === null ? 'incremental' : `incremental · ${s.keyCount} key${s.keyCount === 1 ? '' : 's'}`;
  }
  return s.refreshType ?? '';
}

function render(run: RunStatus): string {
  const rows = run.steps.map((s) => [
    s.view,
    s.trigger,
    s.status,
    refreshKind(s),
    s.durationMs === null
      ? s.startedAt
        ? `${((Date.now() - Date.parse(s.startedAt)) / 1000).toFixed(1)}s…`
        : ''
      : `${(s.durationMs / 1000).toFixed(1)}s`,
    s.rows === null ? '' : String(s.rows),
    s.message ?? '',
  ]);
  const done = run.counts.succeeded + run.counts.failed + run.counts.skipped;
  return `run ${run.runId}: ${run.status}, ${done}/${run.steps.length} done\n${table(['VIEW', 'AS', 'STATUS', 'KIND', 'TIME', 'ROWS', 'MESSAGE'], rows)}`;
}

export interface ProgressPrinter {
  update(run: RunStatus): void;
}

export function progressPrinter(out: NodeJS.WriteStream): ProgressPrinter {
  let lastLines = 0;
  const seen = new Map<number, string>();
  return {
    update(run) {
      if (out.isTTY) {
        const text = render(run);
        // Move up over the previous drawing and clear it before drawing again.
        out.write((lastLines ? `\x1b[${lastLines}A\x1b[J` : '') + text + '\n');
        lastLines = text.split('\n').length;
        return;
      }
      for (const s of run.steps) {
        if (seen.get(s.logId) !== s.status) {
          seen.set(s.logId, s.status);
          const kind = s.durationMs === null ? '' : refreshKind(s);
          const extra =
            (s.durationMs === null ? '' : ` in ${(s.durationMs / 1000).toFixed(1)}s`) + (kind ? ` (${kind})` : '');
          out.write(`${s.view}: ${s.status}${extra}${s.message ? ` (${s.message})` : ''}\n`);
        }
      }
    },
  };
}
