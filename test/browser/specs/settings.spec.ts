// The app's configuration page on an app nobody has configured yet: the admin saves the service URL
// and both secrets, the page then shows the secrets as set (never their values, which Grafana's
// settings API never returns), Test connection reports ready, and with a wrong admin secret it names
// that problem.
import type { Page } from '@playwright/test';
import { testIds } from '../../../plugin/src/testIds';
import { control } from '../env/control';
import { ADMIN_SECRET, READ_SECRET } from '../env/secrets';
import { expect, test } from './fixtures';

const CONFIG = '/plugins/matviewops-app';
const WRONG_ADMIN_SECRET = 'not-the-admin-secret-0123456789';

test.beforeEach(() => control('settings/unconfigured'));
test.afterEach(() => control('settings/provisioned'));

async function expectNoSecretShown(page: Page, secrets: string[]) {
  const html = await page.content();
  const values = await page.locator('input').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
  for (const secret of secrets) {
    expect(html).not.toContain(secret);
    expect(values).not.toContain(secret);
  }
}

test('save URL and secrets, shown as set and never shown back; Test connection ready, then a wrong admin secret named', async ({
  page,
  serviceUrl,
  allowHttpError,
  shoot,
}) => {
  // The service refuses the wrong secret (401), which Chromium logs.
  allowHttpError(401, /\/api\/plugin-proxy\/matviewops-app\/api\/access\/admin/);
  await page.goto(CONFIG);
  const url = page.getByTestId(testIds.appConfig.serviceUrl);
  await expect(url).toHaveValue('');
  await url.fill(serviceUrl);
  await page.getByTestId(testIds.appConfig.readSecret).fill(READ_SECRET);
  await page.getByTestId(testIds.appConfig.adminSecret).fill(ADMIN_SECRET);
  await page.getByTestId(testIds.appConfig.save).click();
  await expect(page.getByTestId(testIds.appConfig.saved)).toBeVisible();

  // Grafana stores them; its settings API only says they are set.
  const stored = await (await page.request.get('/api/plugins/matviewops-app/settings')).json();
  expect(stored.jsonData).toEqual({ serviceUrl });
  expect(stored.secureJsonFields).toEqual({ readSecret: true, adminSecret: true });
  expect(JSON.stringify(stored)).not.toContain(READ_SECRET);
  expect(JSON.stringify(stored)).not.toContain(ADMIN_SECRET);

  await page.reload();
  for (const id of [testIds.appConfig.readSecret, testIds.appConfig.adminSecret]) {
    await expect(page.getByTestId(id)).toHaveValue('configured');
    await expect(page.getByTestId(id)).toBeDisabled();
  }
  await expectNoSecretShown(page, [READ_SECRET, ADMIN_SECRET]);

  await page.getByTestId(testIds.appConfig.testConnection).click();
  const verdict = page.getByTestId(testIds.appConfig.testResult);
  await expect(verdict).toContainText('Ready');
  await expect(verdict.locator('[data-state="failed"]')).toHaveCount(0);
  await shoot('settings-page', page);

  // Replace the admin secret with a wrong one.
  // SecretInput: the "configured" input and its Reset button side by side; the innermost box holding both.
  const adminField = page
    .locator('div')
    .filter({ has: page.getByTestId(testIds.appConfig.adminSecret) })
    .filter({ has: page.getByRole('button', { name: 'Reset' }) })
    .last();
  await adminField.getByRole('button', { name: 'Reset' }).click();
  await page.getByTestId(testIds.appConfig.adminSecret).fill(WRONG_ADMIN_SECRET);
  await page.getByTestId(testIds.appConfig.save).click();
  await expect(page.getByTestId(testIds.appConfig.saved)).toBeVisible();
  await page.getByTestId(testIds.appConfig.testConnection).click();
  await expect(verdict).toContainText('problem');
  await expect(verdict.locator('[data-problem="admin_secret_wrong"]')).toContainText('Wrong admin secret');
  await expect(verdict.locator('[data-check="readSecret"]')).toHaveAttribute('data-state', 'ok');
  await expectNoSecretShown(page, [READ_SECRET, WRONG_ADMIN_SECRET]);
});
