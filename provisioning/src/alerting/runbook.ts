// Where each alert's runbook_url points: a section of docs/runbook.md.
// Grafana does not expand environment variables in provisioned annotations (13.2), so the address is fixed when the
// files are generated: set MATVIEWOPS_RUNBOOK_URL (the runbook as your team reads it, e.g. on your Git host) and run
// `npm run provisioning:build`. The committed file uses the placeholder below.

/** The committed default: a placeholder host (.example is reserved), replaced by MATVIEWOPS_RUNBOOK_URL at build time. */
export const DEFAULT_RUNBOOK_URL = 'https://matview-ops.example/docs/runbook.md';

/** The repository file every anchor must exist in (test/provisioning/alerting-file.test.ts checks). */
export const RUNBOOK_FILE = 'docs/runbook.md';

/** The runbook's sections the rules link to, by the heading's anchor (GitHub's slug of the heading text). */
export const RUNBOOK_ANCHORS = {
  stale: 'freshness-stale-or-never-refreshed',
  failing: 'freshness-refresh-failing',
  drift: 'drift-a-view-disagrees-with-its-source',
  noScheduler: 'no-scheduler-nothing-checks-the-schedules',
  datasourceError: 'datasourceerror-the-database-cannot-be-queried',
} as const;

export type RunbookSection = keyof typeof RUNBOOK_ANCHORS;

export function runbookUrl(section: RunbookSection, base: string = runbookBase()): string {
  return `${base}#${RUNBOOK_ANCHORS[section]}`;
}

function runbookBase(): string {
  const fromEnv = process.env.MATVIEWOPS_RUNBOOK_URL?.trim();
  return fromEnv ? fromEnv.replace(/#.*$/, '') : DEFAULT_RUNBOOK_URL;
}
