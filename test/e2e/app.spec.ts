import { expect, test } from '@grafana/plugin-e2e';
import pluginJson from '../../plugin/src/plugin.json';
import { testIds } from '../../plugin/src/components/testIds';
import { ROUTES } from '../../plugin/src/constants';
import { skipUnlessGrafanaIsUp } from './grafana';

test.beforeAll(skipUnlessGrafanaIsUp);

test('the app opens on the Overview placeholder', async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: pluginJson.id, path: `/${ROUTES.Overview}` });

  await expect(page.getByTestId(testIds.overview.container)).toBeVisible();
});
