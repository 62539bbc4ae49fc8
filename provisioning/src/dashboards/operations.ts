// Operations: what on-call and admins read. One row per managed view with its state, the refresh log over
// time, failures and the scheduler, all from mv_ops' status views; plus the ways to refresh: a native panel
// action on the views table (for editors; the route lets only admins through) and the app's refresh panel.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { refreshAnnotations, refreshAnnotationSql } from '../annotations';
import { appHistoryLink, REFRESH_PANEL_ID, refreshPanelOptions, refreshProxyUrl } from '../app';
import {
  at,
  baseDashboard,
  colorBackground,
  colorByValue,
  fixedColor,
  lastValue,
  OPERATIONS,
  prop,
  tableLegend,
  thresholdColors,
  thresholds,
} from '../common';
import { timeSeriesPanel } from '../timeSeriesPanel';
import { datasourceRef, SALES_DATASOURCE_UID } from '../datasources';
import { tableQuery } from '../query';

/** Panel ids other files rely on: alert rules link to the views table, runbooks to the attempts. */
export const OPERATIONS_PANEL_IDS = { managedViews: 1, refreshAttempts: 2 } as const;

/** The managed-views table's column the action and links read the view's name from. */
export const VIEW_FIELD = 'view';

/** Colours of mv_ops.freshness states, shared by the table and the state counts. */
export const STATE_COLORS: Record<string, string> = {
  fresh: 'green',
  warn: 'yellow',
  stale: 'orange',
  failing: 'red',
  never_refreshed: 'purple',
  paused: 'blue',
};

const STATE_ORDER = `CASE f.state WHEN 'failing' THEN 0 WHEN 'stale' THEN 1 WHEN 'never_refreshed' THEN 2
                    WHEN 'warn' THEN 3 WHEN 'paused' THEN 4 ELSE 5 END`;

/** Every query of the dashboard by panel (and annotation) name: what the tests run and check. */
export const operationsSql = {
  managedViews: `SELECT f.view_name AS ${VIEW_FIELD}, f.pack AS "Pack", f.state AS "State",
  f.refresh_mode AS "Refresh mode", f.zero_lag AS "Zero lag",
  f.lag_seconds AS "Lag", f.warn_after_seconds AS "Warn after", f.error_after_seconds AS "Error after",
  f.last_success_at AS "Last success", f.last_attempt_status AS "Last attempt",
  f.last_refresh_type AS "Last refresh", f.last_key_count AS "Keys",
  f.last_duration_ms AS "Last duration", f.typical_duration_ms AS "Typical duration",
  f.last_error AS "Last error", f.schedule AS "Schedule", f.due_reason AS "Due because"
FROM mv_ops.freshness f
ORDER BY ${STATE_ORDER}, f.lag_seconds DESC NULLS LAST, f.view_name`,
  stateCounts: `SELECT count(*) FILTER (WHERE f.state = 'fresh') AS "Fresh",
  count(*) FILTER (WHERE f.state = 'warn') AS "Warn",
  count(*) FILTER (WHERE f.state = 'stale') AS "Stale",
  count(*) FILTER (WHERE f.state = 'never_refreshed') AS "Never refreshed",
  count(*) FILTER (WHERE f.state = 'failing') AS "Failing",
  count(*) FILTER (WHERE f.state = 'paused') AS "Paused"
FROM mv_ops.freshness f`,
  worstLag: `SELECT max(f.lag_seconds) AS "Oldest unseen change"
FROM mv_ops.freshness f
WHERE f.enabled`,
  failedInRange: `SELECT count(*) AS "Failed attempts"
FROM mv_ops.refresh_history h
WHERE h.status = 'failed' AND $__timeFilter(h.started_at)`,
  refreshAttempts: `SELECT $__timeGroupAlias(h.started_at, $__interval), h.view_name AS metric, count(*) AS attempts
FROM mv_ops.refresh_history h
WHERE $__timeFilter(h.started_at)
GROUP BY 1, 2
ORDER BY 1, 2`,
  refreshDurations: `SELECT h.finished_at AS time, h.view_name AS metric, h.duration_ms AS duration
FROM mv_ops.refresh_history h
WHERE h.status = 'succeeded' AND $__timeFilter(h.finished_at)
ORDER BY 1, 2`,
  failures: `SELECT h.started_at AS "Started", h.view_name AS "View", h.pack AS "Pack", h.trigger AS "Trigger",
  h.requested_by AS "Requested by", h.refresh_type AS "Refresh", h.sqlstate AS "SQLSTATE", h.message AS "Message", h.run_id AS "Run"
FROM mv_ops.refresh_history h
WHERE h.status = 'failed' AND $__timeFilter(h.started_at)
ORDER BY h.log_id DESC
LIMIT 200`,
  recentRefreshes: `SELECT h.started_at AS "Started", h.view_name AS "View", h.pack AS "Pack", h.status AS "Status",
  h.trigger AS "Trigger", h.requested_by AS "Requested by", h.refresh_type AS "Refresh", h.key_count AS "Keys",
  h.duration_ms AS "Duration", h.rows_after AS "Rows", h.run_id AS "Run"
FROM mv_ops.refresh_history h
WHERE $__timeFilter(h.started_at)
ORDER BY h.log_id DESC
LIMIT 200`,
  schedulerStatus: `SELECT s.scheduler AS "Scheduler", s.job_name AS "Job", s.schedule AS "Schedule", s.active AS "Active",
  s.last_run_at AS "Last run", s.last_run_status AS "Last run status", s.command AS "Command"
FROM mv_ops.scheduler_status() s`,
};

/** Refresh events of every managed view, drawn on the time-series panels. */
export const operationsAnnotationSql = refreshAnnotationSql(null);

const ds = datasourceRef(SALES_DATASOURCE_UID);

/** full | incremental (mv_ops refresh_mode and refresh_type) in words, incremental highlighted. */
export const REFRESH_TYPE_MAPPING: dashboard.ValueMapping = {
  type: dashboard.MappingType.ValueToText,
  options: {
    full: { text: 'Full', index: 0 },
    incremental: { text: 'Incremental', color: 'blue', index: 1 },
  },
};

/** mv_ops.freshness.zero_lag: today's figures read live by the pack's report functions, or stored rows only. */
export const ZERO_LAG_MAPPING: dashboard.ValueMapping = {
  type: dashboard.MappingType.ValueToText,
  options: {
    true: { text: 'Today live', color: 'green', index: 0 },
    false: { text: 'No', index: 1 },
  },
};

const colorText = () => prop('custom.cellOptions', { type: common.TableCellDisplayMode.ColorText });

/** The row's view, as the refresh route's body wants it (Grafana interpolates the row value). */
export const REFRESH_ACTION_BODY = `{"views": ["\${__data.fields["${VIEW_FIELD}"]}"]}`;

function refreshAction(): dashboard.ActionBuilder {
  return new dashboard.ActionBuilder()
    .type(dashboard.ActionType.Fetch)
    .title('Refresh')
    .confirmation(
      'Refresh ${__data.fields["' +
        VIEW_FIELD +
        '"]} and the managed views built on it now? Only admins may: the request is refused for other roles. Follow the run in the attempts panel or the refresh panel.'
    )
    .oneClick(false)
    .fetch(
      new dashboard.FetchOptionsBuilder()
        .method(dashboard.HttpRequestMethod.POST)
        .url(refreshProxyUrl())
        .headers([['Content-Type', 'application/json']])
        .body(REFRESH_ACTION_BODY)
    );
}

function managedViewsTable(): table.PanelBuilder {
  const seconds = [prop('unit', 's'), prop('decimals', 0)];
  const millis = [prop('unit', 'ms'), prop('decimals', 0)];
  return (
    new table.PanelBuilder()
      .id(OPERATIONS_PANEL_IDS.managedViews)
      .title('Managed views')
      .description(
        "One row per managed view from mv_ops.freshness. State: fresh, warn / stale (lag past its warn / error threshold), failing (last attempt failed), never refreshed, paused. Refresh mode: Incremental for a keyed aggregate (scheduled refreshes recompute only the business dates that changed; a requested or full-schedule refresh recomputes everything), Full otherwise. Zero lag: Today live when the pack's report functions read the current day live, so today's figures are never behind; state and lag then concern the stored rows, i.e. earlier days. Lag: how long the oldest change the view has not seen has waited, through the views it reads (0 = up to date). Last refresh and Keys: the type of the last successful refresh and, when incremental, how many keys (business dates) it recomputed. Durations: last and median of the last 20 successful refreshes. Last error: SQLSTATE and message of a failed last attempt. Editors get a Refresh action on a row; only admins may run it."
      )
      .datasource(ds)
      .withTarget(tableQuery(SALES_DATASOURCE_UID, operationsSql.managedViews))
      .gridPos(at(0, 4, 24, 12))
      .cellHeight(common.TableCellHeight.Sm)
      .filterable(true)
      .noValue('–')
      .actions([refreshAction()])
      // A link, not a mapping: the cell keeps showing (and the action keeps reading) the registered name.
      .overrideByName(VIEW_FIELD, [
        prop('links', [{ title: 'Refresh history of ${__value.text}', url: appHistoryLink(VIEW_FIELD) }]),
      ])
      .overrideByName('State', [prop('mappings', [colorByValue(STATE_COLORS)]), colorBackground()])
      .overrideByRegexp('^(Refresh mode|Last refresh)$', [prop('mappings', [REFRESH_TYPE_MAPPING]), colorText()])
      .overrideByName('Zero lag', [prop('mappings', [ZERO_LAG_MAPPING]), colorText()])
      .overrideByName('Keys', [prop('unit', 'short'), prop('decimals', 0)])
      .overrideByRegexp('^(Lag|Warn after|Error after)$', seconds)
      .overrideByRegexp('^(Last duration|Typical duration)$', millis)
      .overrideByName('Last attempt', [
        prop('mappings', [colorByValue({ succeeded: 'green', failed: 'red', running: 'blue' })]),
        colorText(),
      ])
      .overrideByName('Last error', [prop('custom.width', 420)])
  );
}

const overTime = (id: number, title: string, description: string, sql: string, gridPos: dashboard.GridPos) =>
  timeSeriesPanel({
    id,
    title,
    description,
    datasourceUid: SALES_DATASOURCE_UID,
    sql,
    gridPos,
    legend: tableLegend(['sum']),
  });

function recentRefreshesTable(): table.PanelBuilder {
  return new table.PanelBuilder()
    .id(11)
    .title('Recent refreshes')
    .description(
      'Every refresh attempt started in the time range, newest first (up to 200), whatever its outcome. Refresh: Full (the whole view recomputed) or Incremental (a keyed aggregate, only the business dates that changed); Keys: how many business dates an incremental refresh recomputed (0: nothing had changed). Empty before the attempt starts. From mv_ops.refresh_history.'
    )
    .datasource(ds)
    .withTarget(tableQuery(SALES_DATASOURCE_UID, operationsSql.recentRefreshes))
    .gridPos(at(0, 41, 24, 10))
    .cellHeight(common.TableCellHeight.Sm)
    .filterable(true)
    .noValue('–')
    .overrideByName('Status', [
      prop('mappings', [
        colorByValue({ succeeded: 'green', failed: 'red', running: 'blue', queued: 'text', skipped: 'purple' }),
      ]),
      colorText(),
    ])
    .overrideByName('Refresh', [prop('mappings', [REFRESH_TYPE_MAPPING]), colorText()])
    .overrideByName('Keys', [prop('unit', 'short'), prop('decimals', 0)])
    .overrideByName('Duration', [prop('unit', 'ms'), prop('decimals', 0)])
    .overrideByName('Rows', [prop('unit', 'short'), prop('decimals', 0)]);
}

export function operationsDashboard(): dashboard.DashboardBuilder {
  const d = baseDashboard(OPERATIONS, ['operations'])
    .description(
      'State and refresh log of every materialized view mv_ops manages (both packs), the scheduler, and refresh controls. For on-call and admins; alert rules link to the managed views panel.'
    )
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .annotations(refreshAnnotations(operationsAnnotationSql, 'all views'));

  d.withPanel(
    new stat.PanelBuilder()
      .id(6)
      .title('Views by state')
      .description('How many managed views are in each state now. From mv_ops.freshness.')
      .datasource(ds)
      .withTarget(tableQuery(SALES_DATASOURCE_UID, operationsSql.stateCounts))
      .gridPos(at(0, 0, 14, 4))
      .reduceOptions(lastValue())
      .textMode(common.BigValueTextMode.ValueAndName)
      .colorMode(common.BigValueColorMode.Background)
      .graphMode(common.BigValueGraphMode.None)
      .colorScheme(thresholdColors())
      .thresholds(thresholds([null, 'transparent']))
      .overrideByName('Fresh', [prop('color', fixedColor(STATE_COLORS.fresh).build())])
      .overrideByName('Warn', [prop('thresholds', thresholds([null, 'transparent'], [1, STATE_COLORS.warn]).build())])
      .overrideByName('Stale', [prop('thresholds', thresholds([null, 'transparent'], [1, STATE_COLORS.stale]).build())])
      .overrideByName('Never refreshed', [
        prop('thresholds', thresholds([null, 'transparent'], [1, STATE_COLORS.never_refreshed]).build()),
      ])
      .overrideByName('Failing', [
        prop('thresholds', thresholds([null, 'transparent'], [1, STATE_COLORS.failing]).build()),
      ])
      .overrideByName('Paused', [
        prop('thresholds', thresholds([null, 'transparent'], [1, STATE_COLORS.paused]).build()),
      ])
  );
  d.withPanel(
    new stat.PanelBuilder()
      .id(7)
      .title('Oldest unseen change')
      .description(
        'The largest lag of an enabled managed view: how long the oldest source change some view has not seen yet has waited (0 = every view is up to date). From mv_ops.freshness; each view has its own thresholds (see the table).'
      )
      .datasource(ds)
      .withTarget(tableQuery(SALES_DATASOURCE_UID, operationsSql.worstLag))
      .gridPos(at(14, 0, 5, 4))
      .reduceOptions(lastValue())
      .colorMode(common.BigValueColorMode.Value)
      .graphMode(common.BigValueGraphMode.None)
      .unit('s')
      .decimals(0)
      .colorScheme(thresholdColors())
      .thresholds(thresholds([null, 'green'], [1200, 'orange'], [3600, 'red']))
  );
  d.withPanel(
    new stat.PanelBuilder()
      .id(8)
      .title('Failed attempts')
      .description('Refresh attempts that failed in the time range, any view. From mv_ops.refresh_history.')
      .datasource(ds)
      .withTarget(tableQuery(SALES_DATASOURCE_UID, operationsSql.failedInRange))
      .gridPos(at(19, 0, 5, 4))
      .reduceOptions(lastValue())
      .colorMode(common.BigValueColorMode.Value)
      .graphMode(common.BigValueGraphMode.None)
      .unit('short')
      .colorScheme(thresholdColors())
      .thresholds(thresholds([null, 'green'], [1, 'red']))
  );
  d.withPanel(managedViewsTable());
  d.withPanel(
    overTime(
      OPERATIONS_PANEL_IDS.refreshAttempts,
      'Refresh attempts per view',
      'Refresh attempts started in each interval, per view, whatever their outcome (succeeded, failed, skipped). From mv_ops.refresh_history. Markers: requested and failed refreshes.',
      operationsSql.refreshAttempts,
      at(0, 16, 12, 9)
    )
      .unit('short')
      .decimals(0)
      .drawStyle(common.GraphDrawStyle.Bars)
      .fillOpacity(70)
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
  );
  d.withPanel(
    overTime(
      3,
      'Refresh durations',
      'How long each successful refresh took, per view, at the time it finished. From mv_ops.refresh_history (duration_ms).',
      operationsSql.refreshDurations,
      at(12, 16, 12, 9)
    )
      .unit('ms')
      .drawStyle(common.GraphDrawStyle.Points)
      .pointSize(6)
      .legend(tableLegend(['mean', 'max']))
  );
  d.withPanel(
    new table.PanelBuilder()
      .id(4)
      .title('Failed refreshes')
      .description(
        'Refresh attempts that failed in the time range, newest first (up to 200): view, what triggered it and who asked, whether it was a full or an incremental refresh, SQLSTATE and message. From mv_ops.refresh_history. The failed view kept serving its previous rows.'
      )
      .datasource(ds)
      .withTarget(tableQuery(SALES_DATASOURCE_UID, operationsSql.failures))
      .gridPos(at(0, 25, 24, 8))
      .cellHeight(common.TableCellHeight.Sm)
      .filterable(true)
      .noValue('–')
      .overrideByName('Refresh', [prop('mappings', [REFRESH_TYPE_MAPPING]), colorText()])
  );
  d.withPanel(
    new table.PanelBuilder()
      .id(5)
      .title('Scheduler')
      .description(
        "Which scheduler runs mv_ops: pg_cron's jobs with their last run and status, or 'none' with what to do instead (CALL mv_ops.run_due() every minute, e.g. the refresh service's tick). From mv_ops.scheduler_status()."
      )
      .datasource(ds)
      .withTarget(tableQuery(SALES_DATASOURCE_UID, operationsSql.schedulerStatus))
      .gridPos(at(0, 33, 12, 8))
      .cellHeight(common.TableCellHeight.Sm)
      .noValue('–')
      .overrideByName('Last run status', [
        prop('mappings', [colorByValue({ succeeded: 'green', failed: 'red', running: 'blue' })]),
        colorText(),
      ])
  );
  d.withPanel(refreshPanel(9, 'Refresh the sales pack', 'sales', at(12, 33, 6, 8)));
  d.withPanel(refreshPanel(10, 'Refresh the funeral pack', 'funeral', at(18, 33, 6, 8)));
  d.withPanel(recentRefreshesTable());
  return d;
}

function refreshPanel(id: number, title: string, pack: string, pos: dashboard.GridPos): dashboard.PanelBuilder {
  return new dashboard.PanelBuilder()
    .type(REFRESH_PANEL_ID)
    .id(id)
    .title(title)
    .description(
      `Freshness of the ${pack} pack's views (through the app), and for admins a button that refreshes the whole pack with its dependents, shows progress and reloads this dashboard when done.`
    )
    .gridPos(pos)
    .options(refreshPanelOptions({ target: 'pack', pack, buttonText: `Refresh ${pack}` }));
}
