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
    ['readSecret', testIds.appConfig.readSecret, service.readSecret!],
    ['adminSecret', testIds.appConfig.adminSecret, service.adminSecret!],
  ] as const;
  for (const [name, inputId, value] of secrets) {
    // A secret already set shows "configured" and a Reset button instead of an empty input.
    const reset = page.getByTestId(testIds.appConfig.secretField(name)).getByRole('button', { name: 'Reset' });
    if (await reset.isVisible()) {
      await reset.click();
    }
    await page.getByTestId(inputId).fill(value);
  }
  const saved = configPage.waitForSettingsResponse();
  await page.getByTestId(testIds.appConfig.save).click();
  await expect(saved).toBeOK();
  await expect(page.getByTestId(testIds.appConfig.saved)).toBeVisible();
  for (const [name] of secrets) {
    // Shown as set, never their values.
    await expect(
      page.getByTestId(testIds.appConfig.secretField(name)).getByRole('button', { name: 'Reset' })
    ).toBeVisible();
  }
  await expect(page.getByTestId(testIds.appConfig.container)).not.toContainText(service.adminSecret!);
  await expect(page.getByTestId(testIds.appConfig.container)).not.toContainText(service.readSecret!);

  await page.getByTestId(testIds.appConfig.testConnection).click();
  const result = page.getByTestId(testIds.appConfig.testResult);
  await expect(result).toContainText(/^Ready/);
  await expect(result.locator('[data-problem]')).toHaveCount(0);
});
