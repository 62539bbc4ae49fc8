import type { PluginOptions } from '@grafana/plugin-e2e';
import { defineConfig, devices } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grafanaUrl } from './test/e2e/grafana';

// Playwright's own browser download cannot be fetched on these machines; Debian's Chromium can.
// The flags keep it from phoning home and from needing a sandbox or GPU in containers.
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

// A Viewer created by the auth setup through Grafana's API (plugin-e2e's createUser fixture).
const viewer = { user: 'matviewops-viewer', password: 'viewer-password-e2e', role: 'Viewer' as const };

// Playwright's results and html report go to the system's temp folder, as test/browser's do, so a run
// never writes them into the work tree. The signed-in state stays in playwright/.auth/ (gitignored):
// plugin-e2e's login and grafanaAPIClient fixtures write it to <cwd>/playwright/.auth/ with no option
// to move it (@grafana/plugin-e2e 3.14), and the projects' storageState must name the same files.
const results = join(tmpdir(), 'matviewops-e2e');

export default defineConfig<PluginOptions>({
  testDir: './test/e2e',
  outputDir: join(results, 'test-results'),
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 2 : 0,
  // `open: 'never'`: the html reporter would otherwise wait for a person after a failure.
  reporter: [['list'], ['html', { open: 'never', outputFolder: join(results, 'playwright-report') }]],
  use: {
    baseURL: grafanaUrl,
    trace: 'on-first-retry',
    launchOptions,
  },
  projects: [
    // 1. Sign in to Grafana once per role and store the cookies for the specs.
    { name: 'auth', testMatch: /auth\.setup\.ts$/ },
    { name: 'auth-viewer', testMatch: /auth\.setup\.ts$/, use: { user: viewer } },
    // 2. The specs: *.admin.spec.ts as admin, *.viewer.spec.ts as a Viewer, *.any.spec.ts as both.
    {
      name: 'admin',
      testMatch: /\.(admin|any)\.spec\.ts$/,
      use: { ...devices['Desktop Chrome'], storageState: 'playwright/.auth/admin.json' },
      dependencies: ['auth'],
    },
    {
      name: 'viewer',
      testMatch: /\.(viewer|any)\.spec\.ts$/,
      use: { ...devices['Desktop Chrome'], storageState: `playwright/.auth/${viewer.user}.json`, user: viewer },
      dependencies: ['auth-viewer'],
    },
  ],
});
