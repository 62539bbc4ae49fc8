import { expect, test } from '@grafana/plugin-e2e';
import { skipUnlessGrafanaIsUp } from './grafana';
import { knownView, operationsDashboardFile } from './settings';

test.beforeAll(skipUnlessGrafanaIsUp);

interface FetchAction {
  type: string;
  fetch: { method: string; url: string; headers: Array<[string, string]>; body: string };
}

// The native "Refresh" action of the operations dashboard's views table, sent as Grafana's frontend sends
// an action (the user's session, X-Grafana-Action: 1): it passes only if [security] actions_allow_post_url
// lists the refresh path (else 405), and then the app's Admin route decides.
test("the views table's Refresh action is allowed by actions_allow_post_url and starts a run for an admin", async ({
  readProvisionedDashboard,
  page,
}) => {
  const dashboard = (await readProvisionedDashboard({ fileName: operationsDashboardFile })) as {
    panels?: Array<{ fieldConfig?: { defaults?: { actions?: FetchAction[] } } }>;
  };
  const action = dashboard.panels
    ?.flatMap((p) => p.fieldConfig?.defaults?.actions ?? [])
    .find((a) => a.type === 'fetch');
  expect(action, 'the operations dashboard has a fetch action').toBeTruthy();
  const body = action!.fetch.body.replace('${__data.fields["view"]}', knownView);
  const response = await page.request.fetch(action!.fetch.url, {
    method: action!.fetch.method,
    headers: { ...Object.fromEntries(action!.fetch.headers), 'X-Grafana-Action': '1' },
    data: body,
  });
  expect(response.status(), await response.text()).toBe(202);
  expect(await response.json()).toMatchObject({ runId: expect.any(Number) });
});
