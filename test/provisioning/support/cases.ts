// The grid the provisioning tests sweep: every collected query × every picked range × both instants (alert
// rules: their own relative range at each instant), named "sales-overview › Revenue › last 7 d at 16:55Z".
import type { TemplateVariable, TimeRange } from '../../grafana/macros';
import { DATASOURCE_UIDS, PLATFORM_DATASOURCE_UID } from '../../../provisioning/src/datasources';
import { collectQueries, loadAlertFiles, loadDashboards, type SqlQuery } from './dashboards';
import { alertRange, prepare, resolveVariables } from './grafana';
import type { SeededDb } from './database';
import { dashboardTimeZone, type Instant, PLATFORM_INSTANTS, type PickedRange, RANGES, SALES_INSTANTS } from './ranges';

export interface Case {
  name: string;
  q: SqlQuery;
  instant: Instant;
  range?: PickedRange;
  timeRange: TimeRange;
}

/** "matviewops-sales-overview" → "sales-overview". */
export const dashboardSlug = (uid: string): string => uid.replace(/^matviewops-/, '');

export const instantsFor = (q: SqlQuery): Instant[] =>
  q.datasourceUid === PLATFORM_DATASOURCE_UID ? PLATFORM_INSTANTS : SALES_INSTANTS;

/** What the sweep runs: the generated dashboards and alert files as they are on disk now. */
export function loadQueries(): SqlQuery[] {
  return collectQueries(loadDashboards(), loadAlertFiles(), new Set<string>(DATASOURCE_UIDS));
}

function caseTitle(q: SqlQuery): string {
  if (q.kind === 'alert') {
    return `alert ${q.name} › ${q.refId}`;
  }
  const slug = dashboardSlug(q.dashboard?.json.uid ?? '');
  const many = (q.panel?.targets ?? []).filter((t: { hide?: boolean }) => !t.hide).length > 1;
  const what =
    q.kind === 'panel'
      ? `${q.name}${many ? ` › ${q.refId}` : ''}`
      : q.kind === 'variable'
        ? `variable ${q.name}`
        : `annotation ${q.name}`;
  return `${slug} › ${what}`;
}

export function buildCases(queries: SqlQuery[], ranges: PickedRange[] = RANGES): Case[] {
  return queries.flatMap((q) =>
    instantsFor(q).flatMap((instant): Case[] => {
      if (q.kind === 'alert') {
        return [{ name: `${caseTitle(q)} at ${instant.name}`, q, instant, timeRange: alertRange(q, instant.now) }];
      }
      const tz = dashboardTimeZone(q.dashboard?.json.timezone);
      return ranges.map((range) => ({
        name: `${caseTitle(q)} › ${range.name} at ${instant.name}`,
        q,
        instant,
        range,
        timeRange: range.resolve(instant.now, tz),
      }));
    })
  );
}

/** Prepares cases' SQL against a seeded database, resolving each dashboard's variables once per range. */
export class Preparer {
  private readonly variables = new Map<string, Promise<Record<string, TemplateVariable>>>();

  constructor(
    private readonly seeded: Pick<SeededDb, 'login'>,
    private readonly queries: SqlQuery[]
  ) {}

  variablesFor(c: Case, overrides: Record<string, TemplateVariable> = {}): Promise<Record<string, TemplateVariable>> {
    const d = c.q.dashboard?.json;
    if (!d) {
      return Promise.resolve({});
    }
    const key = `${d.uid} ${c.timeRange.from.toISOString()} ${c.timeRange.to.toISOString()} ${JSON.stringify(overrides)}`;
    let v = this.variables.get(key);
    if (!v) {
      const variableQueries = this.queries.filter((x) => x.kind === 'variable' && x.dashboard?.json === d);
      v = resolveVariables(d, { range: c.timeRange, login: this.seeded.login }, variableQueries).then((vars) => ({
        ...vars,
        ...overrides,
      }));
      this.variables.set(key, v);
    }
    return v;
  }

  async sql(c: Case, overrides: Record<string, TemplateVariable> = {}): Promise<string> {
    const vars = await this.variablesFor(c, overrides);
    return prepare(c.q, { range: c.timeRange, login: this.seeded.login }, vars);
  }
}
