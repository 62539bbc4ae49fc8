// How Grafana prepares one of the collected queries for a time range: the dashboard's variables (query variables
// get their options by running their own SQL first, as a dashboard load does), the interval the panel asks for,
// an alert rule's relative range, then the macro expander. The result is the SQL PostgreSQL receives.
import type { Client } from 'pg';
import {
  calculateIntervalMs,
  grafanaSql,
  parseGrafanaInterval,
  type TemplateVariable,
  type TimeRange,
} from '../../grafana/macros';
import type { Json, SqlQuery } from './dashboards';
import { runSql } from './database';
import { dashboardTimeZone } from './ranges';

const ALL = '$__all';

/** A query variable's options as Grafana's SQL response parser makes them (__text/__value, else every value). */
export function variableOptions(rows: unknown[][], fields: Array<{ name: string }>): string[] {
  const text = fields.findIndex((f) => f.name === '__text');
  const value = fields.findIndex((f) => f.name === '__value');
  const values =
    text >= 0 && value >= 0 ? rows.map((r) => String(r[value])) : rows.flatMap((r) => r.map((v) => String(v)));
  return [...new Set(values)];
}

const asList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)];

/** The variable as the dashboard holds it once loaded: the saved pick if it is still an option, else the first. */
export function pickVariable(v: Json, options: string[]): TemplateVariable {
  const saved = asList(v.current?.value);
  const base = { multi: !!v.multi, includeAll: !!v.includeAll, allValue: v.allValue ?? null, options };
  if (saved[0] === ALL || (saved.length === 0 && v.includeAll && options.length === 0)) {
    return { ...base, value: ALL };
  }
  const kept = saved.filter((s) => options.includes(s));
  const chosen = kept.length > 0 ? kept : options.slice(0, 1);
  return { ...base, value: v.multi ? chosen : (chosen[0] ?? '') };
}

function staticOptions(v: Json): string[] {
  if (Array.isArray(v.options) && v.options.length > 0) {
    return v.options.map((o: Json) => String(o.value)).filter((o: string) => o !== ALL);
  }
  if (typeof v.query === 'string') {
    // Custom variables: "a, b, c" or "label : value" pairs.
    return v.query
      .split(/(?<!\\),/)
      .map((s: string) => s.trim())
      .filter(Boolean)
      .map((s: string) => (s.includes(' : ') ? s.split(' : ')[1].trim() : s));
  }
  return [];
}

export interface Context {
  range: TimeRange;
  /** The data source login's session, by uid. */
  login(datasourceUid: string): Client;
}

/** The dashboard's variables for a range, query variables resolved against the database in list order. */
export async function resolveVariables(
  dashboard: Json,
  ctx: Context,
  variableQueries: SqlQuery[]
): Promise<Record<string, TemplateVariable>> {
  const vars: Record<string, TemplateVariable> = {};
  for (const v of dashboard.templating?.list ?? []) {
    const q = variableQueries.find((x) => x.variable === v);
    if (q) {
      const sql = prepare(q, ctx, vars);
      const r = await runSql(ctx.login(q.datasourceUid), sql);
      vars[v.name] = pickVariable(v, variableOptions(r.rows, r.fields));
    } else if (v.type === 'constant' || v.type === 'textbox') {
      vars[v.name] = { value: String(v.current?.value ?? v.query ?? '') };
    } else if (v.type === 'datasource' || v.type === 'interval' || v.type === 'custom') {
      vars[v.name] = pickVariable(v, staticOptions(v).length > 0 ? staticOptions(v) : asList(v.current?.value));
    }
  }
  return vars;
}

/** The interval Grafana sends with the query: range over max data points (or panel width), at least the minimum. */
export function intervalFor(q: SqlQuery, range: TimeRange): number {
  if (q.kind === 'alert') {
    const model = q.rule.data.find((d: Json) => d.refId === q.refId)?.model ?? {};
    return Math.max(model.intervalMs ?? 1000, calculateIntervalMs(range, model.maxDataPoints ?? 43200));
  }
  const width = q.panel?.gridPos?.w ? Math.round((q.panel.gridPos.w / 24) * 1600) : 1000;
  const resolution = q.panel?.maxDataPoints ?? width;
  const min = q.panel?.interval ? parseGrafanaInterval(String(q.panel.interval)) : 1;
  return calculateIntervalMs(range, resolution, min);
}

/** An alert query's range: relativeTimeRange {from, to} seconds before "now". */
export function alertRange(q: SqlQuery, now: Date): TimeRange {
  const rel = q.rule.data.find((d: Json) => d.refId === q.refId)?.relativeTimeRange ?? { from: 600, to: 0 };
  return { from: new Date(now.getTime() - rel.from * 1000), to: new Date(now.getTime() - (rel.to ?? 0) * 1000) };
}

/** The SQL PostgreSQL receives for this query (throws MacroError where Grafana would fail the query). */
export function prepare(q: SqlQuery, ctx: Context, variables: Record<string, TemplateVariable>): string {
  const d = q.dashboard?.json;
  return grafanaSql(q.rawSql, {
    range: ctx.range,
    intervalMs: intervalFor(q, ctx.range),
    variables,
    alerting: q.kind === 'alert',
    timeZone: dashboardTimeZone(d?.timezone),
    dashboard: d ? { title: d.title, uid: d.uid } : undefined,
    searchFilter: q.kind === 'variable' ? '%' : undefined,
  }).sql;
}
