// A Viewer sees every managed view with its real state and cannot refresh: no enabled control, and
// a refresh request crafted by hand is refused by the proxy route before it reaches the service.
import { refreshModeLook } from '../../../plugin/src/format/refreshMode';
import { viewStateLook } from '../../../plugin/src/format/state';
import { testIds } from '../../../plugin/src/testIds';
import { expect, test } from './fixtures';

const APP = '/a/matviewops-app';

test.describe('as a Viewer', () => {
  test.use({ as: 'viewer' });

  test('the views page lists every managed view with its state and modes as mv_ops reports them', async ({
    page,
    sql,
    shoot,
  }) => {
    await page.goto(`${APP}/views`);
    await expect(page.getByTestId(testIds.views.table)).toBeVisible();
    const managed = await sql<{ view_name: string; state: string; refresh_mode: string; zero_lag: boolean }>(
      'SELECT view_name, state, refresh_mode, zero_lag FROM mv_ops.freshness ORDER BY view_name'
    );
    expect(managed.length).toBeGreaterThan(10);
    await expect(page.locator(`[data-testid^="${testIds.views.row('')}"]`)).toHaveCount(managed.length);
    for (const { view_name, state, refresh_mode, zero_lag } of managed) {
      await expect(page.getByTestId(testIds.views.row(view_name))).toBeVisible();
      await expect(page.getByTestId(testIds.views.state(view_name))).toHaveText(viewStateLook(state).label);
      await expect(page.getByTestId(testIds.views.refreshMode(view_name))).toHaveText(
        refreshModeLook(refresh_mode).label
      );
      await expect(page.getByTestId(testIds.views.zeroLag(view_name))).toHaveCount(zero_lag ? 1 : 0);
    }
    await shoot('views-page', page);
  });

  test('no refresh control is enabled, and each says why', async ({ page }) => {
    await page.goto(`${APP}/views`);
    await expect(page.getByTestId(testIds.views.table)).toBeVisible();
    const buttons = page.getByTestId(testIds.refresh.button);
    expect(await buttons.count()).toBeGreaterThan(0);
    for (const button of await buttons.all()) {
      await expect(button).toBeDisabled();
    }
    await expect(page.getByText('Refreshing needs the Admin role')).toBeVisible();

    await page.goto('/d/matviewops-browser-ops');
    await expect(page.getByTestId(testIds.panel.container)).toHaveCount(3);
    for (const button of await page.getByTestId(testIds.refresh.button).all()) {
      await expect(button).toBeDisabled();
    }
    await expect(page.getByTestId(testIds.refresh.roleHint)).toHaveCount(3);
    await expect(page.getByTestId(testIds.refresh.roleHint).first()).toContainText('Admin role');
  });

  test('a crafted refresh POST is refused with 403 by the proxy route, and nothing is refreshed', async ({
    page,
    sql,
  }) => {
    const count = async () =>
      (await sql<{ n: number }>('SELECT (SELECT count(*) FROM mv_ops.refresh_log)::int AS n'))[0].n;
    const before = await count();
    // The Viewer's own session, as a script in the page could send it.
    const answer = await page.request.post('/api/plugin-proxy/matviewops-app/api/refresh', {
      data: { pack: 'sales' },
      headers: { 'Idempotency-Key': 'viewer-crafted-1' },
    });
    expect(answer.status()).toBe(403);
    expect(await answer.json()).toEqual({ message: 'plugin proxy route access denied' });
    // Any other path a Viewer might try for a POST finds no route of theirs either.
    const other = await page.request.post('/api/plugin-proxy/matviewops-app/api/views', { data: { pack: 'sales' } });
    expect([403, 404]).toContain(other.status());
    expect(await count()).toBe(before);
  });
});

test.describe('as an Editor', () => {
  test.use({ as: 'editor' });

  test('the refresh route is Admin-only: an Editor is refused too', async ({ page, sql }) => {
    const runs = async () => (await sql<{ n: number }>('SELECT count(*)::int AS n FROM mv_ops.refresh_log'))[0].n;
    const before = await runs();
    const answer = await page.request.post('/api/plugin-proxy/matviewops-app/api/refresh', {
      data: { pack: 'sales' },
      headers: { 'Idempotency-Key': 'editor-crafted-1' },
    });
    expect(answer.status()).toBe(403);
    expect(await runs()).toBe(before);
  });
});
