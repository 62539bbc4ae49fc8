import { expect, test } from '@grafana/plugin-e2e';
import { testIds } from '../../plugin/src/testIds';
import { skipUnlessGrafanaIsUp } from './grafana';
import { appId, service } from './settings';

test.beforeAll(skipUnlessGrafanaIsUp);

test('the admin saves the service URL and both secrets, sees them set, and Test connection passes', async ({
  gotoAppConfigPage,
  page,
}) => {
  test.skip(
    !service.readSecret || !service.adminSecret,
    'E2E_READ_SECRET and E2E_ADMIN_SECRET name the service secrets'
  );
  const configPage = await gotoAppConfigPage({ pluginId: appId });
  await page.getByTestId(testIds.appConfig.serviceUrl).fill(service.url);
  const secrets = [
    [testIds.appConfig.readSecret, service.readSecret!],
    [testIds.appConfig.adminSecret, service.adminSecret!],
  ] as const;
  for (const [id, value] of secrets) {
    const field = page.getByTestId(id);
    // A secret already set shows a Reset button instead of an input.
    const reset = field.getByRole('button', { name: 'Reset' });
    if (await reset.isVisible()) {
      await reset.click();
    }
    await field.locator('input').fill(value);
  }
  const saved = configPage.waitForSettingsResponse();
  await page.getByTestId(testIds.appConfig.save).click();
  await expect(saved).toBeOK();
  await expect(page.getByTestId(testIds.appConfig.saved)).toBeVisible();
  await expect(page.getByTestId(testIds.appConfig.container)).not.toContainText(service.adminSecret!);

  await page.getByTestId(testIds.appConfig.testConnection).click();
  await expect(page.getByTestId(testIds.appConfig.testResult)).toContainText('ready');
});
