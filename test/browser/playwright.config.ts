// The built plugin in Chromium against the test host and the real refresh service
// (npm run test:browser). The root playwright.config.ts is the plugin-e2e suite for a real Grafana.
// Playwright's results go to the system's temp folder, so a run never writes into the work tree;
// only npm run docs:screenshots writes, and only docs/images.
import { defineConfig } from '@playwright/test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default defineConfig({
  testDir: './specs',
  globalSetup: './env/globalSetup.ts',
  outputDir: join(tmpdir(), 'matviewops-browser-results'),
  // The specs share one service and one database, and two of them stop the service or change the
  // app's settings: one worker, one spec at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    viewport: { width: 1400, height: 900 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    },
  },
});
