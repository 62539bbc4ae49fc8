// An Admin refreshes the sales pack from the dashboard's panel: confirmation, per-view progress,
// success; the panel then refreshes the dashboard, and the history page shows the attempt with the
// admin's login as who asked, verified through the signed X-Grafana-Id, and its refresh type as logged.
import { historyUrl } from '../../../plugin/src/constants';
import { refreshTypeText } from '../../../plugin/src/format/refreshMode';
import { testIds } from '../../../plugin/src/testIds';
import { OPERATIONS_UID, PANELS } from '../host/dashboards';
import { HOST_USERS } from '../host/users';
import { dashboardRefreshes, expect, test } from './fixtures';

test('refresh panel: confirm, per-view progress, success, dashboard refreshed, attempt in the history', async ({
  page,
  sql,
  shoot,
}) => {
  const salesViews = (
    await sql<{ view_name: string }>(`SELECT view_name FROM mv_ops.freshness WHERE pack = 'sales' ORDER BY view_name`)
  ).map((r) => r.view_name);
  expect(salesViews.length).toBeGreaterThan(0);

  await page.goto(`/d/${OPERATIONS_UID}`);
  const panel = page.locator(`[data-panelid="${PANELS.sales}"]`);
  await expect(panel.getByTestId(testIds.panel.freshnessItem(salesViews[0]))).toBeVisible();
  await shoot('panel-idle', panel);
  expect(await dashboardRefreshes(page)).toBe(0);

  await panel.getByTestId(testIds.refresh.button).click();
  const confirm = page.getByTestId(testIds.refresh.confirm);
  await expect(confirm).toContainText('sales');
  await page.getByRole('button', { name: 'Refresh now' }).click();

  const result = panel.getByTestId(testIds.refresh.result);
  await expect(result).toContainText('Refreshed (run', { timeout: 30_000 });
  for (const view of salesViews) {
    await expect(result.getByTestId(testIds.refresh.step(view))).toContainText('Succeeded');
    // A refresh a person asks for recomputes everything, and the step says so.
    await expect(result.getByTestId(testIds.refresh.step(view))).toContainText(/Full, in \d/);
  }
  await shoot('panel-succeeded', panel);
  await expect.poll(() => dashboardRefreshes(page)).toBe(1);

  const runId = Number(/run (\d+)/.exec((await result.textContent()) ?? '')?.[1]);
  const [attempt] = await sql<{
    log_id: number;
    requested_by: string;
    status: string;
    refresh_type: string | null;
    key_count: number | null;
  }>(
    `SELECT log_id::int, requested_by, status, refresh_type, key_count
     FROM mv_ops.refresh_log WHERE run_id = $1 AND view_name = $2`,
    [runId, salesViews[0]]
  );
  expect(attempt).toMatchObject({ requested_by: HOST_USERS.admin.login, status: 'succeeded' });

  await page.goto(historyUrl(salesViews[0]));
  const row = page.getByTestId(testIds.history.row(attempt.log_id));
  await expect(row).toBeVisible();
  await expect(page.getByTestId(testIds.history.status(attempt.log_id))).toHaveText('Succeeded');
  const requester = page.getByTestId(testIds.history.requester(attempt.log_id));
  await expect(requester).toHaveText(HOST_USERS.admin.login);
  await expect(requester).not.toContainText('unverified');
  // What the engine logged: a refresh someone asks for recomputes everything ("Full"), and so shows here
  // (before the engine logged refresh types: a dash).
  expect([null, 'full']).toContain(attempt.refresh_type);
  await expect(page.getByTestId(testIds.history.refreshType(attempt.log_id))).toHaveText(
    refreshTypeText(attempt.refresh_type, attempt.key_count)
  );
  await shoot('history-page', page);
});
