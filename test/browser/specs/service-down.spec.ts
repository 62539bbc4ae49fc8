// The refresh service stops: Grafana's proxy answers 502 and the pages and the panel say the service
// cannot be reached, without a blank page or an uncaught error; once it is back, they work again.
import { testIds } from '../../../plugin/src/testIds';
import { control } from '../env/control';
import { OPERATIONS_UID, PANELS } from '../host/dashboards';
import { expect, test } from './fixtures';

const UNREACHABLE = 'could not reach the refresh service';

test.afterEach(() => control('service/start'));

test('with the service stopped the app says so clearly, and recovers when it is back', async ({
  page,
  allowHttpError,
}) => {
  allowHttpError(502, /\/api\/plugin-proxy\/matviewops-app\//);
  await control('service/stop');

  await page.goto(`/d/${OPERATIONS_UID}`);
  const panel = page.locator(`[data-panelid="${PANELS.sales}"]`);
  await expect(panel.getByTestId(testIds.panel.error)).toContainText(UNREACHABLE);
  // A refresh attempted now is answered with the same clear reason, and starts nothing.
  await panel.getByTestId(testIds.refresh.button).click();
  await page.getByRole('button', { name: 'Refresh now' }).click();
  const refusal = panel.getByTestId(testIds.refresh.error);
  await expect(refusal).toContainText('Refresh service unreachable');
  await expect(refusal).toContainText(UNREACHABLE);

  await page.goto('/a/matviewops-app/views');
  const error = page.getByTestId(testIds.views.error);
  await expect(error).toContainText('Could not load the managed views');
  await expect(error).toContainText(UNREACHABLE);
  await expect(page.getByTestId(testIds.views.page)).toBeVisible();

  // Back: the page recovers in place from its own "Try again", no reload needed.
  await control('service/start');
  await error.getByRole('button', { name: /try again/i }).click();
  await expect(page.getByTestId(testIds.views.table)).toBeVisible();
  await expect(page.getByTestId(testIds.views.error)).toHaveCount(0);

  await page.goto(`/d/${OPERATIONS_UID}`);
  await expect(panel.getByTestId(testIds.panel.freshness)).toBeVisible();
  await expect(panel.getByTestId(testIds.panel.error)).toHaveCount(0);
});
