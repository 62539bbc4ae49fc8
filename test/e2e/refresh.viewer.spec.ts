import { expect, test } from '@grafana/plugin-e2e';
import { testIds } from '../../plugin/src/testIds';
import { skipUnlessGrafanaIsUp } from './grafana';
import { appId, knownView } from './settings';

test.beforeAll(skipUnlessGrafanaIsUp);

test('a Viewer sees no enabled refresh control on the views page', async ({ gotoAppPage, page }) => {
  await gotoAppPage({ pluginId: appId, path: '/views' });
  const row = page.getByTestId(testIds.views.row(knownView));
  await expect(row.getByTestId(testIds.refresh.button)).toBeDisabled();
  await expect(page.getByTestId(testIds.views.roleNote)).toContainText('Admin role');
});

test("a Viewer's crafted POST to the refresh route is refused by Grafana with 403 and refreshes nothing", async ({
  page,
}) => {
  const newest = async () => {
    const r = await page.request.get(`/api/plugin-proxy/${appId}/api/views/${knownView}/history?limit=1`);
    expect(r.ok()).toBe(true);
    return (await r.json()).history[0]?.logId ?? null;
  };
  const before = await newest();
  const response = await page.request.post(`/api/plugin-proxy/${appId}/api/refresh`, {
    data: { views: [knownView] },
    headers: { 'Content-Type': 'application/json' },
  });
  expect(response.status()).toBe(403);
  expect(await response.text()).toContain('plugin proxy route access denied');
  expect(await newest()).toBe(before);
});
