// What the e2e specs need to know about the stack under test, from the environment.
export const appId = 'matviewops-app';

/** The generated operations dashboard (under provisioning/dashboards/), which carries refresh panels. */
export const operationsDashboardFile = 'Operations/matviewops-operations.json';

/** A view the stack manages (the sales pack's demo data). */
export const knownView = process.env.E2E_KNOWN_VIEW || 'pos.mv_daily_sales_summary';

/** The refresh service as Grafana reaches it, and its secrets: needed to save the config page. */
export const service = {
  url: process.env.E2E_SERVICE_URL || 'http://matview-ops:8787',
  readSecret: process.env.E2E_READ_SECRET,
  adminSecret: process.env.E2E_ADMIN_SECRET,
};
