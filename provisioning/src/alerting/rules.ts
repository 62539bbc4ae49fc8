// The alert rules on-call gets, built with the foundation SDK's alerting and expression builders (the HTTP API shape;
// file.ts turns them into the provisioning file). Every rule is one table query returning string labels and one
// number (one alert instance per row, see GRAFANA-NOTES "Alerts from a table query") and a Threshold expression on it.
import * as alerting from '@grafana/grafana-foundation-sdk/alerting';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as expr from '@grafana/grafana-foundation-sdk/expr';
import { OPERATIONS } from '../common';
import { operationsDashboard, OPERATIONS_PANEL_IDS } from '../dashboards/operations';
import { SALES_DATASOURCE_UID } from '../datasources';
import { tableQuery } from '../query';
import { CONTACT_POINT_NAME } from './contactPoint';
import { type RunbookSection, runbookUrl } from './runbook';

export const ORG_ID = 1;

/** Rules live in the operations dashboard's folder (a title: Grafana finds or creates it). */
export const ALERT_FOLDER = OPERATIONS.folder;

/** The query's refId and the condition's: the threshold expression on the query's numbers. */
export const QUERY_REF = 'A';
export const CONDITION_REF = 'C';

/** The pseudo data source of server-side expressions. */
export const EXPRESSION_DATASOURCE = '__expr__';

/** Seconds without a scheduled check before the no-scheduler rule fires (ticks come every minute). */
export const NO_SCHEDULER_AFTER_SECONDS = 900;

/** Each rule's SQL: string label columns and exactly one number, read through the sales & operations data source. */
export const alertSql = {
  freshness: `SELECT a.view, a.pack, a.refresh_mode, a.read_mode, a.severity AS freshness_severity
FROM mv_ops.freshness_alert a
ORDER BY a.view`,
  drift: `SELECT d.view, d.pack, d.mismatched_metrics
FROM pos.drift_alert d
ORDER BY d.view`,
  scheduler: `SELECT s.pack, s.seconds_since_check
FROM mv_ops.scheduler_alert s
ORDER BY s.pack`,
};

type Evaluator = { type: expr.TypeThreshold['conditions'][number]['evaluator']['type']; params: number[] };

interface RuleSpec {
  uid: string;
  title: string;
  sql: string;
  /** When an instance fires: the threshold on its number. */
  fires: Evaluator;
  severity: 'warning' | 'critical';
  pendingFor: string;
  summary: string;
  description: string;
  runbook: RunbookSection;
  panelId: number;
  repeatInterval: string;
}

interface GroupSpec {
  name: string;
  /** Evaluation interval in seconds (the SDK's unit; the file says "1m"). */
  intervalSeconds: number;
  rules: RuleSpec[];
}

/** A panel of the generated operations dashboard by title (so a renamed or renumbered panel fails the build). */
function operationsPanelId(title: string): number {
  const panel = (operationsDashboard().build().panels ?? []).find((p) => 'title' in p && p.title === title);
  if (!panel || !('id' in panel) || typeof panel.id !== 'number') {
    throw new Error(`the operations dashboard has no panel "${title}" with an id`);
  }
  return panel.id;
}

/** The freshness rules concern the stored rows; for a zero-lag view today's figures are read live and stay current. */
const READ_MODE =
  "Refresh mode {{ $labels.refresh_mode }}, read mode {{ $labels.read_mode }}: with read_mode zero_lag, the pack's report functions read the current day live from the source, so today's figures stay current and this alert concerns the stored rows, i.e. earlier days; with stored, every figure comes from the stored rows.";

const WHERE_TO_LOOK =
  'mv_ops.freshness has its state, lag, due reason and last error; the Materialized view operations dashboard shows it in the Managed views table.';

/** The rule groups, each evaluated at its own interval. */
export function ruleGroupSpecs(): GroupSpec[] {
  const managedViews = OPERATIONS_PANEL_IDS.managedViews;
  return [
    {
      name: 'matviewops freshness',
      intervalSeconds: 60,
      rules: [
        {
          uid: 'matviewops-freshness-stale',
          title: 'Managed view stale or never refreshed',
          sql: alertSql.freshness,
          // freshness_alert.severity: 0 fresh or paused, 1 warn, 2 stale or never refreshed, 3 failing.
          fires: { type: 'within_range', params: [1.5, 2.5] },
          severity: 'warning',
          pendingFor: '5m',
          summary: '{{ $labels.view }} is stale or has never been refreshed',
          description:
            'mv_ops reports {{ $labels.view }} (pack {{ $labels.pack }}) at freshness severity {{ $values.A.Value }}: the oldest source change it has not seen has waited longer than its error_after threshold, or it has never been populated. Dashboards reading it show old numbers, or none. ' +
            READ_MODE +
            ' ' +
            WHERE_TO_LOOK,
          runbook: 'stale',
          panelId: managedViews,
          repeatInterval: '4h',
        },
        {
          uid: 'matviewops-freshness-failing',
          title: 'Managed view refresh failing',
          sql: alertSql.freshness,
          fires: { type: 'gt', params: [2.5] },
          severity: 'critical',
          pendingFor: '5m',
          summary: 'Refreshing {{ $labels.view }} fails',
          description:
            'The last refresh attempt of {{ $labels.view }} (pack {{ $labels.pack }}) failed (freshness severity {{ $values.A.Value }}). The view keeps serving the rows of its last successful refresh, and the managed views built on it were skipped. ' +
            READ_MODE +
            ' The SQLSTATE and message are in mv_ops.freshness.last_error and on the Materialized view operations dashboard (Managed views, Failed refreshes).',
          runbook: 'failing',
          panelId: managedViews,
          repeatInterval: '1h',
        },
      ],
    },
    {
      name: 'matviewops scheduler',
      intervalSeconds: 60,
      rules: [
        {
          uid: 'matviewops-no-scheduler',
          title: 'No scheduler checks the refresh schedules',
          sql: alertSql.scheduler,
          fires: { type: 'gt', params: [NO_SCHEDULER_AFTER_SECONDS] },
          severity: 'critical',
          pendingFor: '5m',
          summary: 'Nothing has checked the {{ $labels.pack }} pack for {{ humanizeDuration $values.A.Value }}',
          description: `No scheduled tick (CALL mv_ops.run_due(), run by pg_cron's mv_ops_run_due job or the refresh service's tick) has checked the schedules of the {{ $labels.pack }} pack's views for {{ humanizeDuration $values.A.Value }}, more than ${NO_SCHEDULER_AFTER_SECONDS / 60} minutes: scheduled refreshes are not happening and its views will go stale. mv_ops.scheduler_status() says which scheduler is set up and when its job last ran.`,
          runbook: 'noScheduler',
          panelId: operationsPanelId('Scheduler'),
          repeatInterval: '1h',
        },
      ],
    },
    {
      name: 'matviewops drift',
      intervalSeconds: 3600,
      rules: [
        {
          uid: 'matviewops-sales-drift',
          title: 'Sales view drifted from its source',
          sql: alertSql.drift,
          fires: { type: 'gt', params: [0] },
          severity: 'warning',
          // Each evaluation compares one consistent snapshot, an hour apart: waiting for a second would cost an hour.
          pendingFor: '0s',
          summary: '{{ $labels.view }} disagrees with pos.lengolf_sales although mv_ops reports it up to date',
          description:
            '{{ $values.A.Value }} metric(s) of {{ $labels.view }} differ from the sales table over the last 7 days of sales (the checks of pos.validate_views), while mv_ops knows of no change the view has not seen. A change reached the table without passing change tracking (its trigger disabled, session_replication_role = replica, a restore), or the view computes something else than the source says. A refresh brings it back in line; find how the change slipped past first.',
          runbook: 'drift',
          panelId: managedViews,
          repeatInterval: '24h',
        },
      ],
    },
  ];
}

/** The PostgreSQL query of a rule, with the interval fields Grafana's alert editor saves beside it. */
function sqlQuery(sql: string): alerting.QueryBuilder {
  const model: cog.Builder<cog.Dataquery> = {
    build: () => ({
      ...tableQuery(SALES_DATASOURCE_UID, sql).refId(QUERY_REF).build(),
      intervalMs: 1000,
      maxDataPoints: 43200,
    }),
  };
  // The SQL takes no time range; the relative range is what Grafana requires of a data source query.
  return new alerting.QueryBuilder(QUERY_REF)
    .datasourceUid(SALES_DATASOURCE_UID)
    .relativeTimeRange({ from: 600, to: 0 })
    .model(model);
}

function threshold(fires: Evaluator): alerting.QueryBuilder {
  return new alerting.QueryBuilder(CONDITION_REF).datasourceUid(EXPRESSION_DATASOURCE).model(
    new expr.TypeThresholdBuilder()
      .refId(CONDITION_REF)
      .datasource({ type: EXPRESSION_DATASOURCE, uid: EXPRESSION_DATASOURCE })
      .expression(QUERY_REF)
      .conditions([{ evaluator: fires }])
  );
}

function ruleBuilder(spec: RuleSpec, group: string): alerting.RuleBuilder {
  return (
    new alerting.RuleBuilder(spec.title)
      .uid(spec.uid)
      .orgID(ORG_ID)
      .ruleGroup(group)
      .queries([sqlQuery(spec.sql), threshold(spec.fires)])
      .condition(CONDITION_REF)
      .forDuration(spec.pendingFor)
      // No rows (an empty registry, no sales yet) is nothing to report; a query that fails (the database is down or
      // refuses the login) pages on-call as a DatasourceError alert through the same contact point.
      .noDataState('OK')
      .execErrState('Error')
      .labels({ service: 'matviewops', severity: spec.severity })
      .annotations({
        summary: spec.summary,
        description: spec.description,
        runbook_url: runbookUrl(spec.runbook),
        // How the HTTP API links a rule to a panel; file.ts moves these to dashboardUid/panelId.
        __dashboardUid__: OPERATIONS.uid,
        __panelId__: String(spec.panelId),
      })
      .notificationSettings(
        new alerting.NotificationSettingsBuilder()
          .receiver(CONTACT_POINT_NAME)
          // Grafana requires alertname and grafana_folder among the labels a rule's notifications are grouped by.
          .groupBy(['alertname', 'grafana_folder', 'pack'])
          .repeatInterval(spec.repeatInterval)
      )
      .isPaused(false)
  );
}

/** The rule groups as the SDK builds them (the HTTP API shape). */
export function ruleGroups(): alerting.RuleGroup[] {
  return ruleGroupSpecs().map((g) =>
    new alerting.RuleGroupBuilder(g.name)
      .interval(g.intervalSeconds)
      .rules(g.rules.map((r) => ruleBuilder(r, g.name)))
      .build()
  );
}
