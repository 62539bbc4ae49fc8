import { expect, test } from '@grafana/plugin-e2e';
import { testIds } from '../../plugin/src/testIds';
import { skipUnlessGrafanaIsUp } from './grafana';
import { appId, knownView } from './settings';

test.beforeAll(skipUnlessGrafanaIsUp);

test('the views page lists the provisioned views with their state', async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: appId, path: '/views' });
  await expect(page.getByTestId(testIds.views.table)).toBeVisible();
  await expect(page.getByTestId(testIds.views.row(knownView))).toBeVisible();
  await expect(page.getByTestId(testIds.views.state(knownView))).toHaveText(/fresh|warn|stale|failing|never|paused/i);
});
