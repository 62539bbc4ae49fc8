import { expect, test } from '@grafana/plugin-e2e';
import { testIds } from '../../plugin/src/testIds';
import { skipUnlessGrafanaIsUp } from './grafana';
import { operationsDashboardUid } from './settings';

test.beforeAll(skipUnlessGrafanaIsUp);

test('the admin refreshes from the panel on the operations dashboard and sees it succeed', async ({
  gotoDashboardPage,
  page,
  request,
}) => {
  const found = await request.get(`/api/dashboards/uid/${operationsDashboardUid}`);
  test.skip(!found.ok(), `the operations dashboard (${operationsDashboardUid}) is not provisioned in this Grafana`);
  await gotoDashboardPage({ uid: operationsDashboardUid });
  const panel = page.getByTestId(testIds.panel.container).first();
  // Grafana 13 renders panels lazily: bring it into view first.
  await panel.scrollIntoViewIfNeeded();
  await panel.getByTestId(testIds.refresh.button).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByTestId(testIds.refresh.confirm)).toBeVisible();
  await dialog.getByRole('button', { name: 'Refresh now' }).click();
  await expect(panel.getByTestId(testIds.refresh.result)).toContainText('Refreshed', { timeout: 120_000 });
});
