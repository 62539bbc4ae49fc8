// A reload while a long refresh runs: the panel picks the run up again from where it is on the
// server (it remembered the run id), keeps showing its progress, and ends with its real outcome.
import { testIds } from '../../../plugin/src/testIds';
import { SLOW_SECONDS, SLOW_VIEW } from '../env/fixtures';
import { OPERATIONS_UID, PANELS } from '../host/dashboards';
import { DOCS_MODE, expect, test } from './fixtures';

test('reloading during a slow refresh resumes its progress and ends with success', async ({ page, sql, shoot }) => {
  await page.goto(`/d/${OPERATIONS_UID}`);
  const panel = page.locator(`[data-panelid="${PANELS.slow}"]`);
  await panel.getByTestId(testIds.refresh.button).click();
  await page.getByRole('button', { name: 'Refresh now' }).click();

  const step = panel.getByTestId(testIds.refresh.step(SLOW_VIEW));
  await expect(step).toContainText('Running');
  if (DOCS_MODE) {
    // The picture shows a refresh some seconds in, not its first milliseconds.
    await expect(step).toContainText(/for \d+(\.\d+)? s\b/);
  }
  await shoot('panel-running', panel);
  const runId = Number(/run (\d+)/.exec((await panel.getByTestId(testIds.refresh.outcome).textContent()) ?? '')?.[1]);
  expect(runId).toBeGreaterThan(0);

  await page.reload();
  // Still running on the server, and the reloaded panel follows the same run.
  const [run] = await sql<{ status: string }>('SELECT status FROM mv_ops.refresh_run WHERE run_id = $1', [runId]);
  expect(run.status).toBe('running');
  await expect(panel.getByTestId(testIds.refresh.outcome)).toContainText(`run ${runId}`);
  await expect(step).toContainText('Running');
  await expect(panel.getByTestId(testIds.refresh.button)).toBeDisabled();

  const result = panel.getByTestId(testIds.refresh.result);
  await expect(result).toContainText(`Refreshed (run ${runId})`, { timeout: (SLOW_SECONDS + 15) * 1000 });
  await expect(result.getByTestId(testIds.refresh.step(SLOW_VIEW))).toContainText('Succeeded');
});
