import { test as setup } from '@grafana/plugin-e2e';
import { skipUnlessGrafanaIsUp } from './grafana';

// plugin-e2e's own auth setup, preceded by the reachability check so that a missing Grafana
// skips the run instead of failing it. Saves the signed-in state to playwright/.auth/.
setup.beforeAll(skipUnlessGrafanaIsUp);

setup('authenticate', async ({ login, createUser, user, grafanaAPICredentials }) => {
  if (user && (user.user !== grafanaAPICredentials.user || user.password !== grafanaAPICredentials.password)) {
    await createUser();
  }
  await login();
});
