import { expect, test } from '@grafana/plugin-e2e';
import { testIds } from '../../plugin/src/testIds';
import { REFRESH_PANEL_ID } from '../../plugin/src/refresh-panel/options';
import { skipUnlessGrafanaIsUp } from './grafana';
import { operationsDashboardFile } from './settings';

test.beforeAll(skipUnlessGrafanaIsUp);

test('the admin refreshes from the panel on the operations dashboard and sees it succeed', async ({
  readProvisionedDashboard,
  gotoDashboardPage,
  page,
}) => {
  // The dashboard and the panel's title come from the generated file Grafana provisioned.
  const dashboard = await readProvisionedDashboard({ fileName: operationsDashboardFile });
  const panelTitle = (dashboard as { panels?: Array<{ type: string; title: string }> }).panels?.find(
    (p) => p.type === REFRESH_PANEL_ID
  )?.title;
  expect(panelTitle, 'the operations dashboard holds a refresh panel').toBeTruthy();
  const dashboardPage = await gotoDashboardPage(dashboard);
  const panel = dashboardPage.getPanelByTitle(panelTitle!);
  // Grafana 13 renders panels lazily: bring this one into view so its content mounts.
  await panel.locator.scrollIntoViewIfNeeded();
  await panel.locator.getByTestId(testIds.refresh.button).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId(testIds.refresh.confirm)).toBeVisible();
  await dialog.getByRole('button', { name: 'Refresh now' }).click();
  await expect(panel.locator.getByTestId(testIds.refresh.result)).toContainText('Refreshed', { timeout: 120_000 });
});
