// Test connection's problems and how to fix each; the fixes name the service's settings (server/src/config.ts).
export type ProblemCode =
  | 'service_unreachable'
  | 'route_not_found'
  | 'read_secret_wrong'
  | 'read_secret_is_admin'
  | 'admin_secret_wrong'
  | 'identity_unverified'
  | 'database_down'
  | 'migrations_behind'
  | 'no_scheduler'
  | 'unexpected';

export const IDENTITY_DOC = 'docs/grafana-identity.md';

export const FIXES: Record<Exclude<ProblemCode, 'unexpected'>, string> = {
  service_unreachable:
    'Grafana’s server (not your browser) must reach the service URL. Check that the service is running, ' +
    'that it listens on an address Grafana can reach (HOST=0.0.0.0 when Grafana runs in a container) and ' +
    'that the URL names the host and port as Grafana sees them (e.g. http://matview-ops:8787 in Docker ' +
    'Compose, not localhost). 502: connection refused or dropped; 504: timed out.',
  route_not_found:
    'Grafana has no proxy route for it: enable the app if it is disabled, and make sure Grafana runs the ' +
    'current plugin build (routes are read from plugin.json when Grafana starts: restart it after an update).',
  read_secret_wrong:
    'Paste the service’s READ_SECRET into Read secret (Reset first if it shows “configured”) and save.',
  read_secret_is_admin:
    'Read secret holds the ADMIN_SECRET, so every Viewer request carries admin power. Put READ_SECRET there and save.',
  admin_secret_wrong:
    'Paste the service’s ADMIN_SECRET into Admin secret (Reset first if it shows “configured”) and save.',
  identity_unverified:
    `Grafana 13 signs an X-Grafana-Id token for every proxied request; give the service GRAFANA_JWKS_URL ` +
    `(<grafana>/api/signing-keys/keys, reachable from the service) so it can verify it, and check issuer and ` +
    `audience if set: see ${IDENTITY_DOC}.`,
  database_down: 'Check the service’s DATABASE_URL and that PostgreSQL is running and accepts its login.',
  migrations_behind: 'Run `npm run db:migrate` against the service’s database (same DATABASE_URL), then test again.',
  no_scheduler:
    "Scheduled refreshes never run. Schedule the pg_cron job (SELECT cron.schedule('mv_ops_run_due', '* * * * *', " +
    "'CALL mv_ops.run_due()'); migration 0017 does it when pg_cron is already installed) or activate it if " +
    'paused, or set TICK_ENABLED=true on one instance of the service.',
};

export const APP_DISABLED_FIX =
  'Grafana says the app is not enabled in this organisation: enable it (the Enable button of this plugin’s page, or `disabled: false` in its provisioning file), then test again.';
