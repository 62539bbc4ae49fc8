// Every query the generated provisioning files hold (panel targets, template variable queries, annotation
// queries, alert rule queries) runs against a database seeded with both packs, for each picked range at two
// instants either side of midnight in Bangkok, as the login Grafana's data source uses, after the same
// variable interpolation and macro expansion Grafana applies; and its result is one the panel can draw.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { drawProblems } from './support/shape';
import { buildCases, loadQueries, Preparer } from './support/cases';
import { openSeededDatabase, runSql, type SeededDb, type SqlResult } from './support/database';
import { ALERTING_DIR, collectQueries, loadDashboards, type Json, type SqlQuery } from './support/dashboards';

jest.setTimeout(300_000);

const queries = loadQueries();
const cases = buildCases(queries);

let seeded: SeededDb;
let prepare: Preparer;

beforeAll(async () => {
  seeded = await openSeededDatabase('prov_queries');
  prepare = new Preparer(seeded, queries);
});
afterAll(() => seeded?.close());

test('the generated dashboards are there and every dashboard has queries to run', () => {
  const perDashboard: Record<string, number> = Object.fromEntries(
    loadDashboards().map((d) => [d.json.uid, queries.filter((q) => q.dashboard?.json.uid === d.json.uid).length])
  );
  expect(Object.keys(perDashboard)).toEqual(
    expect.arrayContaining(['matviewops-operations', 'matviewops-platform', 'matviewops-sales-overview'])
  );
  for (const [uid, n] of Object.entries(perDashboard)) {
    expect({ uid, hasQueries: n > 0 }).toEqual({ uid, hasQueries: true });
  }
});

test('the alert queries swept are those of exactly the four rules of provisioning/alerting/matviewops.yaml', () => {
  const file = parseYaml(readFileSync(join(ALERTING_DIR, 'matviewops.yaml'), 'utf8'));
  const fileRules = (file.groups ?? []).flatMap((g: Json) => (g.rules ?? []).map((r: Json) => r.uid as string));
  const four = [
    'matviewops-freshness-failing',
    'matviewops-freshness-stale',
    'matviewops-no-scheduler',
    'matviewops-sales-drift',
  ];
  expect([...fileRules].sort()).toEqual(four);
  const swept = [...new Set(queries.filter((q) => q.kind === 'alert').map((q) => q.rule?.uid as string))].sort();
  expect(swept).toEqual(four);
});

test.each(cases.map((c) => [c.name, c] as const))('%s runs and Grafana can draw it', async (_name, c) => {
  const sql = await prepare.sql(c);
  const result = await runSql(seeded.login(c.q.datasourceUid), sql);
  expect({ sql, problems: drawProblems(c.q, result) }).toEqual({ sql, problems: [] });
});

describe('the draw check refuses what Grafana would not draw', () => {
  const q = (over: Partial<SqlQuery>): SqlQuery => ({
    kind: 'panel',
    label: 'x',
    name: 'x',
    refId: 'A',
    datasourceUid: 'matviewops-sales',
    rawSql: '',
    format: 'table',
    ...over,
  });
  const result = (fields: Array<[string, number]>, rows: unknown[][]): SqlResult => ({
    fields: fields.map(([name, dataTypeID]) => ({ name, dataTypeID })),
    rows,
  });
  const [TEXT, NUMERIC, TIMESTAMPTZ, BOOL] = [25, 1700, 1184, 16];

  test('a time_series query without a "time" column, or with a text one', () => {
    const ts = q({ format: 'time_series', panelType: 'timeseries' });
    expect(
      drawProblems(
        ts,
        result(
          [
            ['day', TIMESTAMPTZ],
            ['v', NUMERIC],
          ],
          [[new Date(), '1']]
        )
      )
    ).toEqual([expect.stringContaining('db has no time column')]);
    expect(
      drawProblems(
        ts,
        result(
          [
            ['time', TEXT],
            ['v', NUMERIC],
          ],
          [['x', '1']]
        )
      ).join()
    ).toMatch(/cannot convert it to a time field/);
  });

  test('a long time series out of time order, a boolean value column, no numbers', () => {
    const ts = q({ format: 'time_series', panelType: 'timeseries' });
    const [a, b] = [new Date('2025-06-14T00:00:00Z'), new Date('2025-06-13T00:00:00Z')];
    expect(
      drawProblems(
        ts,
        result(
          [
            ['time', TIMESTAMPTZ],
            ['metric', TEXT],
            ['v', NUMERIC],
          ],
          [
            [a, 'x', '1'],
            [b, 'y', '2'],
          ]
        )
      )
    ).toEqual([expect.stringContaining('long series must be sorted ascending by time')]);
    expect(
      drawProblems(
        ts,
        result(
          [
            ['time', TIMESTAMPTZ],
            ['ok', BOOL],
          ],
          [[a, true]]
        )
      ).join()
    ).toMatch(/convert value to float failed/);
  });

  test('a stat with two rows or without a number; a geomap without numeric lat/lon; a table is anything', () => {
    const stat = q({ panelType: 'stat', panel: { options: { reduceOptions: { values: false } } } });
    expect(drawProblems(stat, result([['n', NUMERIC]], [['1'], ['2']]))).toEqual([
      'a stat panel expects exactly one row (got 2)',
    ]);
    expect(drawProblems(stat, result([['s', TEXT]], [['a']])).join()).toMatch(/shows numeric columns/);
    const map = q({ panelType: 'geomap' });
    expect(
      drawProblems(
        map,
        result(
          [
            ['latitude', TEXT],
            ['longitude', NUMERIC],
          ],
          [['1', '2']]
        )
      ).join()
    ).toMatch(/numeric lat\/latitude/);
    expect(drawProblems(q({ panelType: 'table' }), result([['s', TEXT]], []))).toEqual([]);
  });
});

describe('the collector finds every query Grafana would run', () => {
  const ds = { type: 'grafana-postgresql-datasource', uid: 'matviewops-sales' };
  const dashboard = {
    file: 'x.json',
    json: {
      uid: 'matviewops-x',
      panels: [
        { id: 1, type: 'stat', title: 'A', datasource: ds, targets: [{ refId: 'A', rawSql: 'SELECT 1' }] },
        {
          id: 2,
          type: 'row',
          title: 'Row',
          collapsed: true,
          panels: [
            { id: 3, type: 'table', title: 'In a row', targets: [{ refId: 'A', datasource: ds, rawSql: 'SELECT 3' }] },
          ],
        },
        { id: 4, type: 'text', title: 'No query' },
        {
          id: 5,
          type: 'table',
          title: 'Hidden',
          datasource: ds,
          targets: [{ refId: 'A', rawSql: 'SELECT 5', hide: true }],
        },
      ],
      templating: { list: [{ type: 'query', name: 'v', datasource: ds, query: { rawSql: 'SELECT 6' } }] },
      annotations: {
        list: [
          { name: 'Built-in', datasource: { type: 'grafana', uid: '-- Grafana --' } },
          { name: 'Runs', datasource: ds, target: { refId: 'Anno', rawSql: 'SELECT 7' } },
        ],
      },
    },
  };
  const alerts = {
    file: 'alerting/rules.yaml',
    yaml: {
      groups: [
        {
          rules: [
            {
              uid: 'r1',
              title: 'Stale',
              data: [
                { refId: 'A', datasourceUid: 'matviewops-sales', model: { rawSql: 'SELECT 8', format: 'table' } },
                { refId: 'B', datasourceUid: '__expr__', model: { type: 'threshold', expression: 'A' } },
              ],
            },
          ],
        },
      ],
    },
  };

  test('panel targets (also in collapsed rows, not hidden ones), variables, annotations, alert data queries', () => {
    const found = collectQueries([dashboard], [alerts], new Set(['matviewops-sales']));
    expect(found.map((q) => [q.kind, q.name, q.rawSql])).toEqual([
      ['panel', 'A', 'SELECT 1'],
      ['panel', 'In a row', 'SELECT 3'],
      ['variable', 'v', 'SELECT 6'],
      ['annotation', 'Runs', 'SELECT 7'],
      ['alert', 'Stale', 'SELECT 8'],
    ]);
  });
});
