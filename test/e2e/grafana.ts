import { test } from '@grafana/plugin-e2e';

// Where the e2e specs find Grafana; plugin-e2e's fixtures read the same variable via baseURL.
export const grafanaUrl = process.env.GRAFANA_URL || 'http://localhost:3000';

async function isGrafanaReachable(): Promise<boolean> {
  try {
    const response = await fetch(`${grafanaUrl}/api/health`, { signal: AbortSignal.timeout(3000) });
    return response.ok;
  } catch {
    return false;
  }
}

// Call in test.beforeAll: machines without Docker have no Grafana, and there every spec skips
// with this message instead of failing on a refused connection.
export async function skipUnlessGrafanaIsUp(): Promise<void> {
  if (await isGrafanaReachable()) {
    return;
  }
  const reason = `Grafana is not reachable at ${grafanaUrl} — start it with \`npm run grafana\` (docker compose, needs Docker)`;
  // Reporters list skipped tests without their reason; say it where a person running `npm run e2e` looks.
  console.warn(`Skipped: ${reason}`);
  test.skip(true, reason);
}
