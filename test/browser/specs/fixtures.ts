// What every browser spec gets: the host as baseURL, the signed-in user of its choice (`as`), a
// guard that fails the test on any uncaught exception or console error (browser network logs only
// when the spec declared that HTTP failure), the database for checks of what PostgreSQL holds, and
// `shoot` for the README's pictures (npm run docs:screenshots only). Fixture bodies name Playwright's
// callback `provide`, not `use`, which the React hooks lint rule would take for React's use().
import { test as base, expect, type ConsoleMessage, type Locator, type Page } from '@playwright/test';
import { join } from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT } from '../../harness/runMigrations';
import { ENV } from '../env/control';
import { SESSION_COOKIE, type HostUserKey } from '../host/users';

export { expect };

const requireEnv = (name: string): string => {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run the browser specs with npm run test:browser`);
  }
  return v;
};

export const DOCS_MODE = process.env.DOCS_SCREENSHOTS === '1';

interface AllowedHttpError {
  status: number;
  url: RegExp;
}

export interface SpecFixtures {
  /** Who is signed in to the host in this spec's browser context. */
  as: HostUserKey;
  /** Declares an HTTP failure the spec provokes, so Chromium's "Failed to load resource" log of it is expected. */
  allowHttpError: (status: number, url: RegExp) => void;
  sql: <T = Record<string, unknown>>(text: string, values?: unknown[]) => Promise<T[]>;
  /** Saves a picture for the README under docs/images/<name>.png; does nothing outside docs mode. */
  shoot: (name: string, target: Page | Locator) => Promise<void>;
  serviceUrl: string;
}

// "Failed to load resource: the server responded with a status of 502 (Bad Gateway)"
const NETWORK_LOG = /^Failed to load resource: the server responded with a status of (\d{3})/;

function describe(msg: ConsoleMessage): string {
  const where = msg.location().url;
  return `console.${msg.type()}: ${msg.text()}${where ? ` (${where})` : ''}`;
}

export const test = base.extend<SpecFixtures & { consoleGuard: AllowedHttpError[] }>({
  as: ['admin', { option: true }],
  baseURL: async ({}, provide) => provide(requireEnv(ENV.hostUrl)),
  serviceUrl: async ({}, provide) => provide(requireEnv(ENV.serviceUrl)),
  context: async ({ context, as, baseURL }, provide) => {
    await context.addCookies([{ name: SESSION_COOKIE, value: as, url: baseURL! }]);
    await provide(context);
  },
  consoleGuard: async ({}, provide) => provide([]),
  allowHttpError: async ({ consoleGuard }, provide) =>
    provide((status, url) => void consoleGuard.push({ status, url })),
  page: async ({ page, consoleGuard }, provide) => {
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`uncaught: ${err.stack ?? err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') {
        return;
      }
      const status = NETWORK_LOG.exec(msg.text())?.[1];
      const url = msg.location().url;
      if (status && consoleGuard.some((a) => a.status === Number(status) && a.url.test(url))) {
        return;
      }
      problems.push(describe(msg));
    });
    await provide(page);
    expect(problems, 'uncaught exceptions and console errors in the page').toEqual([]);
  },
  sql: async ({}, provide) => {
    const client = new Client({ connectionString: requireEnv(ENV.databaseUrl) });
    await client.connect();
    await provide(async (text, values) => (await client.query(text, values)).rows);
    await client.end();
  },
  shoot: async ({}, provide) =>
    provide(async (name, target) => {
      if (DOCS_MODE) {
        await target.screenshot({ path: join(REPO_ROOT, 'docs', 'images', `${name}.png`), animations: 'disabled' });
      }
    }),
});

/** How many times the panel asked the dashboard to refresh (see client/sceneContext.ts). */
export const dashboardRefreshes = (page: Page): Promise<number> =>
  page.evaluate(() => window.__matviewopsHost?.dashboardRefreshes ?? 0);
