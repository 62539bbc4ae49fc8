// The sales overview's numbers are the venue's numbers for the days the user picked, in the venue's time zone.
// Panels are addressed through the dashboard's exported SQL (salesOverviewSql.<name>), and each is first found
// in the generated JSON with exactly that SQL, so what runs here is what Grafana provisions. Each runs as the
// sales data source's login after Grafana's macro expansion, for every picked range at 23:55 and 00:05 in
// Bangkok. References: pos.get_dashboard_summary_live (computed from pos.lengolf_sales alone) over the range's
// Bangkok dates and the same number of days before them; pos.mv_daily_sales_summary and
// pos.mv_customer_analytics rows of those dates for the trends.
import { salesOverviewSql } from '../../provisioning/src/dashboards/salesOverview';
import { SALES_DATASOURCE_UID } from '../../provisioning/src/datasources';
import type { TimeRange } from '../grafana/macros';
import { allPanels, loadDashboards, type Json, type SqlQuery } from './support/dashboards';
import { openSeededDatabase, rowObjects, runSql, type SeededDb } from './support/database';
import { prepare } from './support/grafana';
import {
  localDates,
  previousPeriod,
  RANGES,
  SALES_INSTANTS,
  startOfLocalDate,
  VENUE_TIME_ZONE,
} from './support/ranges';

jest.setTimeout(300_000);

type Change = 'relative' | 'points';
/** Which summary key each KPI panel shows, and how its change against the previous period is expressed. */
const KPIS: Record<string, { key: string; change: Change }> = {
  revenueKpi: { key: 'total_revenue', change: 'relative' },
  grossProfitKpi: { key: 'gross_profit', change: 'relative' },
  transactionsKpi: { key: 'transaction_count', change: 'relative' },
  uniqueCustomersKpi: { key: 'unique_customers', change: 'relative' },
  avgTransactionKpi: { key: 'avg_transaction_value', change: 'relative' },
  grossMarginKpi: { key: 'gross_margin_pct', change: 'points' },
  simUtilisationKpi: { key: 'sim_utilization_pct', change: 'points' },
  newCustomersKpi: { key: 'new_customers', change: 'relative' },
};
type SqlName = keyof typeof salesOverviewSql;

const dashboard = loadDashboards().find((d) => d.json.uid === 'matviewops-sales-overview')?.json;

/** The generated panel whose (only) query is exactly the exported SQL. */
function panelOf(name: SqlName): Json {
  const panels = allPanels(dashboard ?? {}).filter((p: Json) =>
    (p.targets ?? []).some((t: Json) => t.rawSql === salesOverviewSql[name])
  );
  if (panels.length !== 1) {
    throw new Error(`${panels.length} generated panels run salesOverviewSql.${name}; expected exactly one`);
  }
  return panels[0];
}

const grid = RANGES.flatMap((range) =>
  SALES_INSTANTS.map((instant) => {
    const timeRange = range.resolve(instant.now, VENUE_TIME_ZONE);
    const dates = localDates(timeRange);
    return { range, instant, timeRange, dates, label: `${range.name} at ${instant.name}` };
  })
);

let seeded: SeededDb;

beforeAll(async () => {
  seeded = await openSeededDatabase('prov_sales_kpis');
});
afterAll(() => seeded?.close());

/** The panel's SQL as PostgreSQL receives it from Grafana for the range, run as the sales data source's login. */
async function runPanel(name: SqlName, timeRange: TimeRange) {
  const panel = panelOf(name);
  const target = panel.targets[0];
  const q: SqlQuery = {
    kind: 'panel',
    label: `sales-overview › ${panel.title}`,
    name: panel.title,
    panel,
    panelType: panel.type,
    refId: target.refId,
    datasourceUid: SALES_DATASOURCE_UID,
    rawSql: target.rawSql,
    format: target.format === 'time_series' ? 'time_series' : 'table',
  };
  const sql = prepare(q, { range: timeRange, login: seeded.login }, {});
  return { panel, result: await runSql(seeded.login(SALES_DATASOURCE_UID), sql) };
}

async function liveSummary(dates: { first: string; last: string }) {
  const prev = previousPeriod(dates);
  const { rows } = await seeded.owner.query(`SELECT pos.get_dashboard_summary_live($1, $2, $3, $4) AS s`, [
    dates.first,
    dates.last,
    prev.first,
    prev.last,
  ]);
  return rows[0].s as { current_period: Record<string, number>; comparison_period: Record<string, number> };
}

/** The change against the previous period in PostgreSQL's numeric arithmetic: % of it, or percentage points. */
async function expectedChange(current: number | null, previous: number | null, change: Change): Promise<number | null> {
  const sql =
    change === 'relative'
      ? `SELECT round(($1::numeric / NULLIF($2::numeric, 0) - 1) * 100, 1) AS c`
      : `SELECT round($1::numeric - $2::numeric, 2) AS c`;
  const c = (await seeded.owner.query(sql, [current, previous])).rows[0].c;
  return c === null ? null : Number(c);
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

describe('the grid itself proves the Bangkok boundary', () => {
  test('23:55 and 00:05 in Bangkok fall on different local dates and on one UTC date', () => {
    const today = grid.filter((g) => g.range.name === 'today so far');
    expect(today.map((g) => [g.instant.name, g.dates])).toEqual([
      ['16:55Z', { first: '2025-06-14', last: '2025-06-14' }],
      ['17:05Z', { first: '2025-06-15', last: '2025-06-15' }],
    ]);
    expect(new Set(SALES_INSTANTS.map((i) => i.now.toISOString().slice(0, 10)))).toEqual(new Set(['2025-06-14']));
  });

  test('the local dates differ from the UTC dates $__timeFilter would take on a DATE column', () => {
    const differ = grid.filter((g) => g.dates.first !== g.timeRange.from.toISOString().slice(0, 10));
    expect(differ.length).toBeGreaterThan(grid.length / 3);
  });
});

describe.each(Object.entries(KPIS))('salesOverviewSql.%s', (name, kpi) => {
  test.each(
    grid.map(
      (g) => [`${g.label}: pos.get_dashboard_summary_live over ${g.dates.first}..${g.dates.last} (Bangkok)`, g] as const
    )
  )('equals %s, and its change the previous period of as many days', async (_label, g) => {
    const { result } = await runPanel(name as SqlName, g.timeRange);
    expect(result.rows).toHaveLength(1);
    expect(result.fields).toHaveLength(2);
    const live = await liveSummary(g.dates);
    const current = num(live.current_period[kpi.key]);
    const previous = num(live.comparison_period[kpi.key]);
    const [value, change] = result.rows[0].map(num);
    expect({ value, change }).toEqual({ value: current, change: await expectedChange(current, previous, kpi.change) });
  });
});

/** Daily view rows of the range's local dates, as the trend panels should draw them (time = local midnight). */
async function dailyRows(view: string, columns: string[], dates: { first: string; last: string }) {
  const { rows } = await seeded.owner.query(
    `SELECT date::text AS date, ${columns.join(', ')} FROM ${view} WHERE date BETWEEN $1 AND $2 ORDER BY date`,
    [dates.first, dates.last]
  );
  return rows.map((r) => [startOfLocalDate(r.date, VENUE_TIME_ZONE).getTime(), ...columns.map((c) => num(r[c]))]);
}

const TRENDS: Array<{ name: SqlName; view: string; columns: string[] }> = [
  { name: 'revenueTrend', view: 'pos.mv_daily_sales_summary', columns: ['total_revenue', 'total_profit'] },
  { name: 'simUtilisationTrend', view: 'pos.mv_daily_sales_summary', columns: ['sim_utilization_pct'] },
  { name: 'customersTrend', view: 'pos.mv_customer_analytics', columns: ['new_customers', 'returning_customers'] },
];

describe.each(TRENDS)('salesOverviewSql.$name', ({ name, view, columns }) => {
  test.each(
    grid.map((g) => [`${g.label}: the ${view} rows of ${g.dates.first}..${g.dates.last} (Bangkok)`, g] as const)
  )('draws %s, one point per local date at its local midnight', async (_label, g) => {
    const { result } = await runPanel(name, g.timeRange);
    const drawn = rowObjects(result).map((r) => [
      (r.time as Date).getTime(),
      ...result.fields.filter((f) => f.name !== 'time').map((f) => num(r[f.name])),
    ]);
    const expected = await dailyRows(view, columns, g.dates);
    expect(expected.length).toBeGreaterThan(0);
    expect(drawn).toEqual(expected);
  });
});

test('the daily trend and the KPI agree with the source on the 00:05 "today": only 15 June, not 14 June too', async () => {
  const g = grid.find((x) => x.range.name === 'today so far' && x.instant.name === '17:05Z')!;
  const { result } = await runPanel('revenueKpi', g.timeRange);
  const [june15, both] = await Promise.all([
    liveSummary({ first: '2025-06-15', last: '2025-06-15' }),
    liveSummary({ first: '2025-06-14', last: '2025-06-15' }),
  ]);
  expect(num(result.rows[0][0])).toBe(num(june15.current_period.total_revenue));
  expect(num(result.rows[0][0])).not.toBe(num(both.current_period.total_revenue));
});

describe("the numbers do not depend on the server's TimeZone (Grafana's connection uses the server default)", () => {
  const names: SqlName[] = [...(Object.keys(KPIS) as SqlName[]), ...TRENDS.map((t) => t.name)];
  const boundary = grid.filter((g) => ['today so far', 'last 7 d'].includes(g.range.name));
  test.each(['America/Los_Angeles', 'Pacific/Kiritimati'])(
    "with TimeZone %s every panel gives what it gives in the server's default zone",
    async (zone) => {
      const other = await seeded.connectAs(seeded.loginRole[SALES_DATASOURCE_UID]);
      await other.query(`SET TimeZone = '${zone}'`);
      for (const name of names) {
        for (const g of boundary) {
          const panel = panelOf(name);
          const sql = prepare(
            {
              kind: 'panel',
              label: name,
              name,
              panel,
              panelType: panel.type,
              refId: 'A',
              datasourceUid: SALES_DATASOURCE_UID,
              rawSql: panel.targets[0].rawSql,
              format: panel.targets[0].format,
            },
            { range: g.timeRange, login: seeded.login },
            {}
          );
          const [utc, there] = [await runSql(seeded.login(SALES_DATASOURCE_UID), sql), await runSql(other, sql)];
          const times = (r: typeof utc) => r.rows.map((row) => row.map((v) => (v instanceof Date ? v.getTime() : v)));
          expect({ name, range: g.label, rows: times(there) }).toEqual({ name, range: g.label, rows: times(utc) });
        }
      }
    }
  );
});
