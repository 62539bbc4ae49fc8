// Refresh events from mv_ops.refresh_history as dashboard annotations: runs someone asked for, failed
// attempts, and (off by default, they are frequent) scheduled runs. Shared by the sales and operations dashboards.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceRef, SALES_DATASOURCE_UID } from './datasources';
import { tableQuery } from './query';

export interface RefreshAnnotationSql {
  requestedRuns: string;
  failedAttempts: string;
  scheduledRuns: string;
}

/** The annotation queries, for one pack ('sales') or, with null, every managed view. */
export function refreshAnnotationSql(pack: string | null): RefreshAnnotationSql {
  const inPack = pack === null ? '' : `h.pack = '${pack}' AND `;
  // One marker per run: from its first start to its last finish, with what it did.
  const runs = (having: string) => `SELECT min(h.started_at) AS time,
  max(h.finished_at) AS timeend,
  concat('Refresh run ', h.run_id, ' (', max(h.trigger) FILTER (WHERE h.trigger <> 'cascade'),
         COALESCE(', by ' || max(h.requested_by), ''), '): ',
         count(*) FILTER (WHERE h.status = 'succeeded'), ' refreshed, ',
         count(*) FILTER (WHERE h.status = 'failed'), ' failed, ',
         count(*) FILTER (WHERE h.status = 'skipped'), ' skipped') AS text,
  concat_ws(',', 'refresh', max(h.trigger) FILTER (WHERE h.trigger <> 'cascade'),
            CASE WHEN bool_or(h.status = 'failed') THEN 'failed' END) AS tags
FROM mv_ops.refresh_history h
WHERE ${inPack}$__timeFilter(h.started_at)
GROUP BY h.run_id
HAVING ${having}
ORDER BY 1`;
  return {
    requestedRuns: runs(`bool_or(h.trigger IN ('manual', 'api'))`),
    scheduledRuns: runs(`bool_and(h.trigger IN ('schedule', 'cascade'))`),
    failedAttempts: `SELECT h.started_at AS time,
  h.finished_at AS timeend,
  concat(h.view_name, ' failed: ', concat_ws(' ', h.sqlstate, h.message), ' (run ', h.run_id, ', ', h.trigger, ')') AS text,
  concat_ws(',', 'refresh', 'failed', h.view_name) AS tags
FROM mv_ops.refresh_history h
WHERE ${inPack}h.status = 'failed' AND $__timeFilter(h.started_at)
ORDER BY 1`,
  };
}

function annotation(name: string, sql: string, color: string, enabled: boolean): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .name(name)
    .datasource(datasourceRef(SALES_DATASOURCE_UID))
    .enable(enabled)
    .iconColor(color)
    .target(tableQuery(SALES_DATASOURCE_UID, sql).refId('Anno'));
}

/** The three annotation queries; `label` names the scope in their toggles (e.g. 'sales'). */
export function refreshAnnotations(sql: RefreshAnnotationSql, label: string): dashboard.AnnotationQueryBuilder[] {
  return [
    annotation(`Requested refreshes (${label})`, sql.requestedRuns, 'blue', true),
    annotation(`Failed refreshes (${label})`, sql.failedAttempts, 'red', true),
    annotation(`Scheduled refreshes (${label})`, sql.scheduledRuns, 'text', false),
  ];
}
