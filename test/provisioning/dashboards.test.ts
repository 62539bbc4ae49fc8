// The generated dashboards as Grafana 13 would read them: valid classic (v1) JSON per Grafana's own schemas,
// unique uids and panel ids, only provisioned data sources, panel SQL that reads views and takes time only from
// macros, the refresh action and panel wired to the app, and committed files that equal a fresh build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { defaultRefreshPanelOptions, refreshRequestOf } from '../../plugin/src/refresh-panel/options';
import { refreshAnnotationSql } from '../../provisioning/src/annotations';
import { DATASOURCE_UIDS } from '../../provisioning/src/datasources';
import { operationsAnnotationSql, operationsSql } from '../../provisioning/src/dashboards/operations';
import { platformSql } from '../../provisioning/src/dashboards/platform';
import { salesOverviewAnnotationSql, salesOverviewSql } from '../../provisioning/src/dashboards/salesOverview';

const REPO = path.resolve(__dirname, '../..');
const PROVISIONING = path.join(REPO, 'provisioning');
const SCHEMAS = path.join(__dirname, 'schemas');
const REFRESH_PANEL = 'matviewops-refresh-panel';

type Json = Record<string, any>;

const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8'));

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    return e.isDirectory() ? filesBelow(file) : [file];
  });
}

/** The committed dashboards, by uid, with the folder (directory) each sits in. */
const committed = filesBelow(path.join(PROVISIONING, 'dashboards'))
  .filter((f) => f.endsWith('.json'))
  .map((file) => ({ file, folder: path.basename(path.dirname(file)), model: readJson(file) }));
const byUid = (uid: string) => committed.find((d) => d.model.uid === uid)!.model;

/** Panels at any depth (rows hold panels of their own). */
const panelsOf = (d: Json): Json[] => (d.panels ?? []).flatMap((p: Json) => [p, ...(p.panels ?? [])]);

/** Every query of a dashboard: panel targets, annotation targets, query variables. */
function queriesOf(d: Json): Array<{ where: string; rawSql: string; datasource?: Json }> {
  const panelQueries = panelsOf(d).flatMap((p) =>
    (p.targets ?? []).map((t: Json) => ({
      where: `panel ${p.id} "${p.title}"`,
      rawSql: t.rawSql,
      datasource: t.datasource,
    }))
  );
  const annotationQueries = (d.annotations?.list ?? [])
    .filter((a: Json) => a.target)
    .map((a: Json) => ({ where: `annotation "${a.name}"`, rawSql: a.target.rawSql, datasource: a.target.datasource }));
  const variableQueries = (d.templating?.list ?? [])
    .filter((v: Json) => v.type === 'query')
    .map((v: Json) => ({ where: `variable ${v.name}`, rawSql: v.query, datasource: v.datasource }));
  return [...panelQueries, ...annotationQueries, ...variableQueries];
}

const allQueries = committed.flatMap((d) => queriesOf(d.model).map((q) => ({ ...q, uid: d.model.uid })));

describe('the committed dashboards', () => {
  test('are the three dashboards, each in its pack folder', () => {
    expect(committed.map((d) => [d.folder, path.basename(d.file), d.model.uid]).sort()).toEqual(
      [
        ['Operations', 'matviewops-operations.json', 'matviewops-operations'],
        ['Platform', 'matviewops-platform.json', 'matviewops-platform'],
        ['Sales', 'matviewops-sales-overview.json', 'matviewops-sales-overview'],
      ].sort()
    );
  });

  test('equal a fresh `npm run provisioning:build` (regenerated into a temp dir)', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'matviewops-provisioning-'));
    try {
      execFileSync(path.join(REPO, 'node_modules/.bin/tsx'), [path.join(PROVISIONING, 'src/build.ts'), '--out', out], {
        cwd: REPO,
        stdio: 'pipe',
      });
      const generated = filesBelow(path.join(out, 'dashboards')).map((f) => path.relative(out, f));
      const inRepo = filesBelow(path.join(PROVISIONING, 'dashboards')).map((f) => path.relative(PROVISIONING, f));
      expect(inRepo.sort()).toEqual(generated.sort());
      for (const rel of generated) {
        expect({ file: rel, content: readFileSync(path.join(PROVISIONING, rel), 'utf8') }).toEqual({
          file: rel,
          content: readFileSync(path.join(out, rel), 'utf8'),
        });
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('are loaded by a file provider that makes a Grafana folder of each subfolder', () => {
    const provider = parseYaml(readFileSync(path.join(PROVISIONING, 'dashboards/matviewops.yaml'), 'utf8'));
    expect(provider.apiVersion).toBe(1);
    expect(provider.providers).toHaveLength(1);
    const [p] = provider.providers;
    expect(p).toMatchObject({ type: 'file', orgId: 1, options: { foldersFromFilesStructure: true } });
    // Grafana refuses folder/folderUid together with foldersFromFilesStructure.
    expect(p.folder).toBeUndefined();
    expect(p.folderUid).toBeUndefined();
    expect(p.options.path).toBe('/etc/grafana/provisioning/dashboards');
  });

  test('have unique uids of at most 40 characters, tags, a time range, auto refresh and links to the others and the app', () => {
    const uids = committed.map((d) => d.model.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const { model } of committed) {
      expect(model.uid.length).toBeLessThanOrEqual(40);
      expect(model.tags).toContain('matviewops');
      expect(model.time).toEqual({ from: expect.any(String), to: expect.any(String) });
      expect(model.refresh).toMatch(/^\d+[smh]$/);
      expect(model.schemaVersion).toBe(42);
      const urls = model.links.map((l: Json) => l.url);
      for (const other of uids.filter((u) => u !== model.uid)) {
        expect(urls).toContain(`/d/${other}`);
      }
      expect(urls).toContain('/a/matviewops-app/views');
    }
  });

  test('give every panel a title, a description naming where its data comes from, and a unique explicit id', () => {
    for (const { model } of committed) {
      const ids = panelsOf(model).map((p) => p.id);
      expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of panelsOf(model)) {
        expect(p.title).toBeTruthy();
        const source = p.type === REFRESH_PANEL ? /mv_ops|pack/ : /(pos|funeral|mv_ops)\.[a-z_]+/;
        expect({ panel: p.title, description: p.description }).toEqual({
          panel: p.title,
          description: expect.stringMatching(source),
        });
      }
    }
  });

  test('keep the operations panel ids alert rules link to: 1 the managed views table, 2 the attempts over time', () => {
    const panels = panelsOf(byUid('matviewops-operations'));
    expect(panels.find((p) => p.id === 1)).toMatchObject({ type: 'table', title: 'Managed views' });
    expect(panels.find((p) => p.id === 1)!.targets[0].rawSql).toContain('FROM mv_ops.freshness');
    expect(panels.find((p) => p.id === 2)).toMatchObject({ type: 'timeseries' });
    expect(panels.find((p) => p.id === 2)!.targets[0].rawSql).toContain('FROM mv_ops.refresh_history');
  });
});

describe("Grafana's JSON Schemas (test/provisioning/schemas, draft-07, local $refs only)", () => {
  const ajv = new Ajv({ allErrors: true, strict: true });
  // An annotation the generator puts on deprecated fields; it constrains nothing.
  ajv.addKeyword('x-deprecation-message');
  // The one format the schemas use (snapshot and meta timestamps), as RFC 3339 defines it.
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i);
  const schemaFile = (name: string) => path.join(SCHEMAS, `${name}.jsonschema.json`);
  // The generated schema renders two `unknown`s of Grafana's model as "object": a matcher's options (a field
  // name for byName) and an override property's value (a unit, a number, mappings...). @grafana/schema types
  // them `options?: unknown` and `value?: unknown` (raw/dashboard/x/types.gen.d.ts): any JSON value is valid.
  const UNKNOWNS: Array<[definition: string, property: string]> = [
    ['MatcherConfig', 'options'],
    ['DynamicConfigValue', 'value'],
  ];
  const load = (name: string) => {
    const schema = readJson(schemaFile(name));
    if (schema.$schema !== 'http://json-schema.org/draft-07/schema#') {
      throw new Error(`${name}: expected a draft-07 schema, got ${schema.$schema}`);
    }
    if (name === 'dashboard') {
      for (const [definition, property] of UNKNOWNS) {
        const properties = schema.definitions[definition].properties;
        if (properties[property]?.type !== 'object') {
          throw new Error(`dashboard schema: ${definition}.${property} changed; revisit the relaxation`);
        }
        properties[property] = {};
      }
    }
    ajv.addSchema(schema, name);
    return schema;
  };
  const dashboardSchema = load('dashboard');
  const validateDashboard = ajv.compile({ $ref: 'dashboard' });
  const panelValidators = new Map<string, { options: ValidateFunction; custom?: ValidateFunction }>();
  for (const type of ['stat', 'table', 'timeseries', 'barchart', 'geomap', 'text', 'piechart']) {
    const schema = load(type);
    panelValidators.set(type, {
      options: ajv.compile({ $ref: `${type}#/definitions/Options` }),
      custom: schema.definitions.FieldConfig ? ajv.compile({ $ref: `${type}#/definitions/FieldConfig` }) : undefined,
    });
  }
  const errorsOf = (v: ValidateFunction, data: unknown) => (v(data) ? [] : ajv.errorsText(v.errors).split(', '));

  test('the copy keeps its licence and names its source commit', () => {
    expect(readFileSync(path.join(SCHEMAS, 'LICENSE'), 'utf8')).toContain('Apache License');
    expect(readFileSync(path.join(SCHEMAS, 'README.md'), 'utf8')).toMatch(
      /grafana-foundation-sdk.*\n?.*commit\s+[0-9a-f]{40}/
    );
    expect(dashboardSchema.$ref).toBe('#/definitions/Dashboard');
  });

  test.each(committed.map((d) => [d.model.uid, d.model]))('%s is a valid v1 dashboard', (_uid, model) => {
    expect(errorsOf(validateDashboard, model)).toEqual([]);
  });

  test.each(committed.map((d) => [d.model.uid, d.model]))(
    "%s: each panel's options and custom field config are valid for its panel type",
    (_uid, model) => {
      for (const p of panelsOf(model)) {
        if (p.type === REFRESH_PANEL) {
          continue; // The app's own panel: checked against its typed options below.
        }
        const v = panelValidators.get(p.type);
        expect({ panel: p.title, type: p.type, known: Boolean(v) }).toEqual({
          panel: p.title,
          type: p.type,
          known: true,
        });
        expect({ panel: p.title, options: errorsOf(v!.options, p.options) }).toEqual({ panel: p.title, options: [] });
        const custom = p.fieldConfig?.defaults?.custom;
        if (v!.custom) {
          expect({ panel: p.title, custom: errorsOf(v!.custom, custom ?? {}) }).toEqual({ panel: p.title, custom: [] });
        } else {
          expect({ panel: p.title, custom: custom ?? {} }).toEqual({ panel: p.title, custom: {} });
        }
      }
    }
  );

  test('the validators reject what Grafana would misread (they are not vacuous)', () => {
    const ops = byUid('matviewops-operations');
    expect(errorsOf(validateDashboard, { ...ops, panels: [{ ...ops.panels[0], gridPos: { x: '0' } }] })).not.toEqual(
      []
    );
    expect(errorsOf(validateDashboard, { ...ops, schemaVersion: undefined })).not.toEqual([]);
    expect(errorsOf(validateDashboard, { ...ops, unknownTopLevel: true })).not.toEqual([]);
    const stat = panelsOf(ops).find((p) => p.type === 'stat')!;
    expect(errorsOf(panelValidators.get('stat')!.options, { ...stat.options, reduceOptions: undefined })).not.toEqual(
      []
    );
    expect(errorsOf(panelValidators.get('stat')!.options, { ...stat.options, textMode: 'bigger' })).not.toEqual([]);
    const tableCustom = panelsOf(ops).find((p) => p.type === 'table')!.fieldConfig.defaults.custom;
    expect(
      errorsOf(panelValidators.get('table')!.custom!, { ...tableCustom, cellOptions: { type: 'sparkles' } })
    ).not.toEqual([]);
  });
});

describe('data sources', () => {
  /** The provisioned uids: from provisioning/datasources/*.yaml when it exists, else the code's constants. */
  /** The uids the data source file provisions, read from the file itself (a missing file fails the tests). */
  function provisionedUids(): string[] {
    const file = path.join(PROVISIONING, 'datasources/matviewops.yaml');
    return (parseYaml(readFileSync(file, 'utf8')).datasources ?? []).map((d: Json) => d.uid as string);
  }

  test('the two uids the dashboards use are provisioned', () => {
    expect(provisionedUids()).toEqual(expect.arrayContaining([...DATASOURCE_UIDS]));
  });

  test('every datasource of a panel, target, variable and annotation is a provisioned PostgreSQL one', () => {
    const uids = new Set(provisionedUids());
    for (const { model } of committed) {
      const refs: Array<[string, Json | undefined]> = [
        ...panelsOf(model)
          .filter((p) => p.datasource)
          .map((p): [string, Json] => [`panel ${p.id}`, p.datasource]),
        ...queriesOf(model).map((q): [string, Json | undefined] => [q.where, q.datasource]),
        ...(model.annotations?.list ?? []).map((a: Json): [string, Json] => [`annotation ${a.name}`, a.datasource]),
        ...(model.templating?.list ?? []).map((v: Json): [string, Json] => [`variable ${v.name}`, v.datasource]),
      ];
      for (const [where, ref] of refs) {
        expect({ where, uid: ref?.uid, type: ref?.type, known: uids.has(ref?.uid) }).toEqual({
          where,
          uid: ref?.uid,
          type: 'grafana-postgresql-datasource',
          known: true,
        });
      }
    }
  });

  test('panels with queries are exactly those with a datasource (the refresh panels query nothing)', () => {
    for (const { model } of committed) {
      for (const p of panelsOf(model)) {
        expect({ panel: p.title, queries: (p.targets ?? []).length > 0 }).toEqual({
          panel: p.title,
          queries: p.type !== REFRESH_PANEL,
        });
      }
    }
  });
});

describe('panel SQL', () => {
  test('every query in the files is addressable by name in the dashboard sources, and the other way round', () => {
    const named = [
      ...Object.values(salesOverviewSql),
      ...Object.values(salesOverviewAnnotationSql),
      ...Object.values(platformSql),
      ...Object.values(operationsSql),
      ...Object.values(operationsAnnotationSql),
    ];
    expect(new Set(allQueries.map((q) => q.rawSql))).toEqual(new Set(named));
    expect(refreshAnnotationSql('sales')).toEqual(salesOverviewAnnotationSql);
  });

  const FORBIDDEN: Array<[string, RegExp]> = [
    ['now()', /\bnow\s*\(/i],
    ['current_date', /\bcurrent_date\b/i],
    ['current_timestamp', /\bcurrent_timestamp\b/i],
    ['localtimestamp', /\blocaltimestamp\b/i],
    ['localtime', /\blocaltime\b/i],
    ['the sales source', /lengolf_sales/i],
    ['a live function', /_live\s*\(/i],
    ['funeral_mv storage', /funeral_mv\./i],
  ];

  test.each(FORBIDDEN)('no query uses %s', (_what, pattern) => {
    expect(allQueries.filter((q) => pattern.test(q.rawSql)).map((q) => `${q.uid} ${q.where}`)).toEqual([]);
  });

  test('the forbidden-token check catches each token (it is not vacuous)', () => {
    const samples = [
      'SELECT now()',
      'WHERE d = CURRENT_DATE',
      'SELECT current_timestamp',
      'SELECT LOCALTIMESTAMP',
      'SELECT localtime',
      'FROM pos.lengolf_sales',
      'SELECT pos.get_dashboard_summary_live(a, b, c, d)',
      'FROM funeral_mv.mv_search_index',
    ];
    FORBIDDEN.forEach(([, pattern], i) => expect(pattern.test(samples[i])).toBe(true));
  });

  /** The relations a query names (schema-qualified), lower-cased. */
  const relationsOf = (sql: string) =>
    [...sql.matchAll(/\b([a-z_]+)\.([a-z_]+)\s*\(?/gi)].map((m) => m[0].replace(/\s+/g, '').toLowerCase());
  const ALLOWED = [
    /^pos\.mv_[a-z_]+$/,
    /^pos\.get_[a-z_]+_mv\($/,
    /^pos\.setting$/,
    /^funeral\.[a-z_]+$/,
    /^mv_ops\.[a-z_]+\(?$/,
    /^public\.st_[xy]\($/,
  ];

  test('every query reads only the views and report functions (pos.mv_*, pos.get_*_mv, pos.setting, funeral.*, mv_ops.*)', () => {
    for (const q of allQueries) {
      // Table aliases (d.date, h.pack...) are one or two letters; schemas are longer.
      const named = relationsOf(q.rawSql).filter((r) => /^[a-z_]{3,}\./.test(r));
      expect(named.length).toBeGreaterThan(0);
      for (const r of named) {
        expect({ query: `${q.uid} ${q.where}`, reads: r, allowed: ALLOWED.some((a) => a.test(r)) }).toEqual({
          query: `${q.uid} ${q.where}`,
          reads: r,
          allowed: true,
        });
      }
    }
  });

  test('$__timeFilter is used only on timestamptz columns (never on a DATE column, which it would read as UTC dates)', () => {
    const timestamptz = new Set(['h.started_at', 'h.finished_at']);
    const filtered = allQueries.flatMap((q) =>
      [...q.rawSql.matchAll(/\$__timeFilter\(([^)]*)\)/g)].map((m) => m[1].trim())
    );
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.filter((c) => !timestamptz.has(c))).toEqual([]);
  });

  test("the sales panels that read days turn the range into the venue's local dates from pos.setting", () => {
    const dated = Object.entries(salesOverviewSql).filter(([, sql]) => /pos\.(mv_|get_)/.test(sql));
    expect(dated.length).toBeGreaterThanOrEqual(14);
    for (const [name, sql] of dated) {
      expect({ name, local: /FROM pos\.setting s\s+WHERE s\.name = 'time_zone'/.test(sql) }).toEqual({
        name,
        local: true,
      });
      expect({ name, usesTimeFilter: sql.includes('$__timeFilter') }).toEqual({ name, usesTimeFilter: false });
    }
  });

  test('time series targets return a time column; every target is raw SQL in code mode', () => {
    for (const { model } of committed) {
      for (const p of panelsOf(model)) {
        for (const t of p.targets ?? []) {
          expect(t).toMatchObject({
            editorMode: 'code',
            rawQuery: true,
            format: expect.stringMatching(/^(table|time_series)$/),
          });
          expect(t.refId).toBeTruthy();
          if (p.type === 'timeseries') {
            expect({
              panel: p.title,
              format: t.format,
              time: /AS "?time"?\b|\$__timeGroupAlias\(/.test(t.rawSql),
            }).toEqual({
              panel: p.title,
              format: 'time_series',
              time: true,
            });
          }
        }
      }
    }
  });
});

describe('refresh from the dashboards', () => {
  const plugin = readJson(path.join(REPO, 'plugin/src/plugin.json'));
  const postRoutes = (plugin.routes ?? []).filter((r: Json) => (r.method ?? '').toUpperCase() === 'POST');
  const ops = byUid('matviewops-operations');
  const viewsTable = panelsOf(ops).find((p) => p.id === 1)!;
  const actions: Json[] = viewsTable.fieldConfig.defaults.actions ?? [];

  test("the views table's Refresh action POSTs the row's view to the app's refresh route through the plugin proxy", () => {
    expect(postRoutes).toHaveLength(1);
    expect(actions).toHaveLength(1);
    const [action] = actions;
    expect(action).toMatchObject({ type: 'fetch', title: 'Refresh', oneClick: false });
    expect(action.confirmation).toContain('${__data.fields["view"]}');
    expect(action.fetch.method).toBe('POST');
    expect(action.fetch.url).toBe(`/api/plugin-proxy/${plugin.id}/${postRoutes[0].path}`);
    expect(action.fetch.headers).toContainEqual(['Content-Type', 'application/json']);
    expect(action.fetch.body).toBe('{"views": ["${__data.fields["view"]}"]}');
    // What Grafana sends once it has put the row's value in: the refresh route's body.
    expect(JSON.parse(action.fetch.body.replace('${__data.fields["view"]}', 'pos.mv_daily_sales_summary'))).toEqual({
      views: ['pos.mv_daily_sales_summary'],
    });
    // The field it reads is a column of the table's query, shown without a value mapping that would change it.
    expect(viewsTable.targets[0].rawSql).toMatch(/f\.view_name AS view\b/);
    const viewOverrides = viewsTable.fieldConfig.overrides.filter((o: Json) => o.matcher.options === 'view');
    const changesTheValue = ['mappings', 'displayName', 'unit', 'decimals'];
    const properties = viewOverrides.flatMap((o: Json) => o.properties.map((p: Json) => p.id));
    expect(properties.filter((id: string) => changesTheValue.includes(id))).toEqual([]);
    // ...and links to the app's history page of that view.
    const links = viewOverrides.flatMap(
      (o: Json) => o.properties.filter((p: Json) => p.id === 'links')[0]?.value ?? []
    );
    expect(links.map((l: Json) => l.url)).toEqual(['/a/matviewops-app/history/${__data.fields["view"]:percentencode}']);
  });

  const refreshPanels = committed.flatMap((d) =>
    panelsOf(d.model)
      .filter((p) => p.type === REFRESH_PANEL)
      .map((p) => [`${d.model.uid} panel ${p.id}`, p] as [string, Json])
  );

  test('the refresh panel is on the operations dashboard and on the sales overview, refreshing the sales pack', () => {
    expect(refreshPanels.map(([where]) => where.split(' ')[0])).toEqual(
      expect.arrayContaining(['matviewops-operations', 'matviewops-sales-overview'])
    );
    const sales = refreshPanels.find(([where]) => where.startsWith('matviewops-sales-overview'))![1];
    expect(refreshRequestOf(sales.options)).toEqual({ pack: 'sales', cascade: true });
  });

  test.each(refreshPanels)("%s: options are exactly the panel's RefreshPanelOptions, of its types", (_where, p) => {
    expect(Object.keys(p.options).sort()).toEqual(Object.keys(defaultRefreshPanelOptions).sort());
    for (const [key, value] of Object.entries(defaultRefreshPanelOptions)) {
      expect({ key, type: Array.isArray(p.options[key]) ? 'array' : typeof p.options[key] }).toEqual({
        key,
        type: Array.isArray(value) ? 'array' : typeof value,
      });
    }
    expect(['pack', 'views']).toContain(p.options.target);
    // Options that name nothing to refresh would leave the button without a target.
    expect(refreshRequestOf(p.options)).toBeDefined();
  });
});
