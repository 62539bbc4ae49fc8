// Every SQL query Grafana would run from the generated provisioning files: panel targets (rows' nested panels
// too), template variable queries, annotation queries and alert rule queries, with what each needs to run
// (data source uid, format, panel type, the variables in scope).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../../harness/runMigrations';

export const DASHBOARDS_DIR = join(REPO_ROOT, 'provisioning/dashboards');
export const ALERTING_DIR = join(REPO_ROOT, 'provisioning/alerting');
export const POSTGRES = 'grafana-postgresql-datasource';

export type Json = any;

export interface Dashboard {
  file: string;
  json: Json;
}

export type QueryKind = 'panel' | 'variable' | 'annotation' | 'alert';

export interface SqlQuery {
  kind: QueryKind;
  /** "sales-overview › Revenue › A": what the test names print. */
  label: string;
  dashboard?: Dashboard;
  /** Panel title, variable name, annotation name or alert rule title. */
  name: string;
  panel?: Json;
  panelType?: string;
  variable?: Json;
  rule?: Json;
  refId: string;
  datasourceUid: string;
  rawSql: string;
  format: 'table' | 'time_series';
}

/** Files below dir whose names match ext; a missing folder throws (the generated files must be there). */
const walk = (dir: string, ext: RegExp): string[] => {
  const entries = readdirSync(dir);
  return entries.flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p, ext) : ext.test(e) ? [p] : [];
  });
};

export function loadDashboards(): Dashboard[] {
  return walk(DASHBOARDS_DIR, /\.json$/)
    .sort()
    .map((file) => ({ file: relative(REPO_ROOT, file), json: JSON.parse(readFileSync(file, 'utf8')) }))
    .filter((d) => Array.isArray(d.json.panels) || d.json.templating);
}

export function loadAlertFiles(): Array<{ file: string; yaml: Json }> {
  return walk(ALERTING_DIR, /\.ya?ml$/)
    .sort()
    .map((file) => ({ file: relative(REPO_ROOT, file), yaml: parseYaml(readFileSync(file, 'utf8')) }));
}

/** Panels in grid order, the panels inside collapsed rows included. */
export function allPanels(dashboard: Json): Json[] {
  return (dashboard.panels ?? []).flatMap((p: Json) => [p, ...(p.panels ?? [])]);
}

/** A data source reference as the JSON holds it: {uid}, a uid string, or a ${variable} resolved to its value. */
export function datasourceUidOf(ref: Json, dashboard?: Json): string | undefined {
  const raw = typeof ref === 'string' ? ref : ref?.uid;
  if (typeof raw !== 'string') {
    return undefined;
  }
  const variable = /^\$\{?(\w+)\}?$/.exec(raw);
  if (variable && dashboard) {
    const v = (dashboard.templating?.list ?? []).find((x: Json) => x.name === variable[1]);
    const current = v?.current?.value;
    return typeof current === 'string' ? current : Array.isArray(current) ? current[0] : undefined;
  }
  return raw;
}

const isPostgres = (ref: Json, uid: string | undefined, postgresUids: Set<string>): boolean =>
  (typeof ref === 'object' && ref?.type === POSTGRES) || (uid !== undefined && postgresUids.has(uid));

/** Every PostgreSQL query of the dashboards and alert files; postgresUids are the provisioned PostgreSQL uids. */
export function collectQueries(
  dashboards: Dashboard[],
  alertFiles: Array<{ file: string; yaml: Json }>,
  postgresUids: Set<string>
): SqlQuery[] {
  const out: SqlQuery[] = [];
  for (const d of dashboards) {
    const j = d.json;
    const slug = j.uid ?? d.file;
    for (const panel of allPanels(j)) {
      for (const t of panel.targets ?? []) {
        const ref = t.datasource ?? panel.datasource;
        const uid = datasourceUidOf(ref, j);
        if (typeof t.rawSql !== 'string' || !isPostgres(ref, uid, postgresUids) || t.hide) {
          continue;
        }
        out.push({
          kind: 'panel',
          label: `${slug} › ${panel.title} › ${t.refId}`,
          dashboard: d,
          name: panel.title,
          panel,
          panelType: panel.type,
          refId: t.refId,
          datasourceUid: uid ?? '',
          rawSql: t.rawSql,
          format: t.format === 'time_series' ? 'time_series' : 'table',
        });
      }
    }
    for (const v of j.templating?.list ?? []) {
      if (v.type !== 'query') {
        continue;
      }
      const uid = datasourceUidOf(v.datasource, j);
      const rawSql = typeof v.query === 'string' ? v.query : (v.query?.rawSql ?? v.query?.query);
      if (typeof rawSql !== 'string' || !isPostgres(v.datasource, uid, postgresUids)) {
        continue;
      }
      out.push({
        kind: 'variable',
        label: `${slug} › variable ${v.name}`,
        dashboard: d,
        name: v.name,
        variable: v,
        refId: v.name,
        datasourceUid: uid ?? '',
        rawSql,
        format: 'table',
      });
    }
    for (const a of j.annotations?.list ?? []) {
      const uid = datasourceUidOf(a.datasource, j);
      const rawSql = a.target?.rawSql ?? a.rawQuery;
      if (typeof rawSql !== 'string' || !isPostgres(a.datasource, uid, postgresUids)) {
        continue;
      }
      out.push({
        kind: 'annotation',
        label: `${slug} › annotation ${a.name}`,
        dashboard: d,
        name: a.name,
        refId: a.target?.refId ?? 'Anno',
        datasourceUid: uid ?? '',
        rawSql,
        format: 'table',
      });
    }
  }
  for (const f of alertFiles) {
    for (const group of f.yaml?.groups ?? []) {
      for (const rule of group.rules ?? []) {
        for (const q of rule.data ?? []) {
          if (q.datasourceUid === '__expr__' || typeof q.model?.rawSql !== 'string') {
            continue;
          }
          out.push({
            kind: 'alert',
            label: `alert ${rule.title} › ${q.refId}`,
            name: rule.title,
            rule,
            refId: q.refId,
            datasourceUid: q.datasourceUid,
            rawSql: q.model.rawSql,
            format: q.model.format === 'time_series' ? 'time_series' : 'table',
          });
        }
      }
    }
  }
  return out;
}
