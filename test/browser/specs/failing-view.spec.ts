// A pack with one view that cannot refresh (it divides by a day with no crates): the panel shows that
// view failed with its SQLSTATE and the others succeeded, and so does the failing view's history.
import { historyUrl } from '../../../plugin/src/constants';
import { testIds } from '../../../plugin/src/testIds';
import { CHECKS_VIEWS, FAILING_VIEW } from '../env/fixtures';
import { OPERATIONS_UID, PANELS } from '../host/dashboards';
import { dashboardRefreshes, expect, test } from './fixtures';

test('a division by zero fails its view with 22012 in the panel and the history; the rest succeed', async ({
  page,
  sql,
  shoot,
}) => {
  await page.goto(`/d/${OPERATIONS_UID}`);
  const panel = page.locator(`[data-panelid="${PANELS.checks}"]`);
  await panel.getByTestId(testIds.refresh.button).click();
  await page.getByRole('button', { name: 'Refresh now' }).click();

  const result = panel.getByTestId(testIds.refresh.result);
  await expect(result).toContainText('Refresh failed (run', { timeout: 30_000 });
  const failed = result.getByTestId(testIds.refresh.step(FAILING_VIEW));
  await expect(failed).toContainText('Failed');
  await expect(failed).toContainText('22012');
  await expect(failed).toContainText('division by zero');
  for (const view of CHECKS_VIEWS.filter((v) => v !== FAILING_VIEW)) {
    await expect(result.getByTestId(testIds.refresh.step(view))).toContainText('Succeeded');
  }
  await shoot('panel-failed', panel);
  // Two views did refresh, so the dashboard's queries are re-run all the same.
  await expect.poll(() => dashboardRefreshes(page)).toBe(1);

  const runId = Number(/run (\d+)/.exec((await result.textContent()) ?? '')?.[1]);
  const [attempt] = await sql<{ log_id: number; sqlstate: string }>(
    `SELECT log_id::int, sqlstate FROM mv_ops.refresh_log WHERE run_id = $1 AND view_name = $2`,
    [runId, FAILING_VIEW]
  );
  expect(attempt.sqlstate).toBe('22012');

  await page.goto(historyUrl(FAILING_VIEW));
  await expect(page.getByTestId(testIds.history.status(attempt.log_id))).toHaveText('Failed');
  await expect(page.getByTestId(testIds.history.row(attempt.log_id))).toContainText('22012');
});
