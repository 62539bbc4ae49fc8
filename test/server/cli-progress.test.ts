// The progress display of `npm run mv -- refresh --wait`: redrawn in place on a terminal, one line
// per change elsewhere. (The non-terminal form is also exercised end to end in cli.test.ts.)
import { progressPrinter, refreshKind } from '../../server/src/cli/progress';
import { duration } from '../../server/src/cli/table';
import type { RunStatus } from '../../server/src/refresh/queries';

const step = (logId: number, view: string, status: string, durationMs: number | null = null) => ({
  logId,
  runId: 7,
  view,
  trigger: logId === 1 ? 'api' : 'cascade',
  requestedBy: 'ops',
  status,
  concurrently: true,
  startedAt: status === 'queued' ? null : new Date().toISOString(),
  finishedAt: null,
  durationMs,
  rows: durationMs === null ? null : 10,
  sqlstate: null,
  message: null,
  refreshType: status === 'queued' ? null : ('full' as const),
  keyCount: null,
});

const run = (steps: Array<ReturnType<typeof step>>, status = 'running'): RunStatus => {
  const counts: Record<string, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, skipped: 0 };
  steps.forEach((s) => counts[s.status]++);
  return {
    runId: 7,
    trigger: 'manual',
    requestedBy: 'ops',
    requested: ['fx.daily'],
    cascade: true,
    status,
    createdAt: null,
    finishedAt: null,
    counts,
    steps,
  };
};

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream, chunks };
}

test('on a terminal the table is redrawn over the previous one', () => {
  const { stream, chunks } = fakeStream(true);
  const p = progressPrinter(stream);
  p.update(run([step(1, 'fx.daily', 'running'), step(2, 'fx.weekly', 'queued')]));
  p.update(run([step(1, 'fx.daily', 'succeeded', 1234), step(2, 'fx.weekly', 'running')]));
  expect(chunks[0]).toMatch(/^run 7: running, 0\/2 done\nVIEW\s+AS\s+STATUS\s+KIND/);
  // Five lines drawn (title, header, rule, two rows): move up five and clear before redrawing.
  expect(chunks[1].startsWith('\x1b[5A\x1b[J')).toBe(true);
  expect(chunks[1]).toMatch(/fx\.daily\s+api\s+succeeded\s+full\s+1\.2s\s+10/);
  expect(chunks[1]).toMatch(/run 7: running, 1\/2 done/);
});

test('elsewhere each change is one line, and unchanged steps are not repeated', () => {
  const { stream, chunks } = fakeStream(false);
  const p = progressPrinter(stream);
  p.update(run([step(1, 'fx.daily', 'running'), step(2, 'fx.weekly', 'queued')]));
  p.update(run([step(1, 'fx.daily', 'succeeded', 1234), step(2, 'fx.weekly', 'queued')]));
  expect(chunks).toEqual(['fx.daily: running\n', 'fx.weekly: queued\n', 'fx.daily: succeeded in 1.2s (full)\n']);
});

test.each([
  [{ refreshType: null, keyCount: null }, ''],
  [{ refreshType: 'full' as const, keyCount: null }, 'full'],
  [{ refreshType: 'incremental' as const, keyCount: 1 }, 'incremental · 1 key'],
  [{ refreshType: 'incremental' as const, keyCount: 61 }, 'incremental · 61 keys'],
])('an attempt %p is shown as %p', (attempt, text) => {
  expect(refreshKind(attempt)).toBe(text);
});

test.each([
  [null, '-'],
  [4.25, '4.3s'],
  [75, '1m15s'],
  [3_700, '1h01m'],
  [90_000, '1d1h'],
])('duration(%p) is %p', (seconds, text) => {
  expect(duration(seconds)).toBe(text);
});
