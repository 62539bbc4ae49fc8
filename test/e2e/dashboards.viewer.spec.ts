import { expect, test } from '@grafana/plugin-e2e';
import { skipUnlessGrafanaIsUp } from './grafana';

test.beforeAll(skipUnlessGrafanaIsUp);

// The generated files under provisioning/dashboards, as Grafana's file provider loads them.
const DASHBOARD_FILES = [
  'Sales/matviewops-sales-overview.json',
  'Platform/matviewops-platform.json',
  'Operations/matviewops-operations.json',
];

for (const fileName of DASHBOARD_FILES) {
  test(`a Viewer opens ${fileName} and no panel shows an error`, async ({
    readProvisionedDashboard,
    gotoDashboardPage,
    page,
  }) => {
    const dashboard = await readProvisionedDashboard({ fileName });
    // Grafana renders only panels in view: a tall window puts every panel of these dashboards in it.
    await page.setViewportSize({ width: 1920, height: 3200 });
    const dashboardPage = await gotoDashboardPage({ uid: dashboard.uid });
    await expect(page.getByText(dashboard.title ?? '').first()).toBeVisible();
    // Queries run after the page loads; give them time to answer (or fail) before counting errors.
    await page.waitForLoadState('networkidle', { timeout: 30_000 }).catch(() => undefined);
    await expect(dashboardPage).toHavePanelErrors(0);
  });
}
