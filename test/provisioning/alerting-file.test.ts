// The generated alerting file as Grafana 13's file provisioning reads it (pkg/services/provisioning/alerting
// rules_types.go, contact_point_types.go): required fields, durations Grafana's parser accepts, refIds the condition
// names, expression models valid against Grafana's expression schema, links to panels that exist, runbook anchors that
// exist, routing without notification policies, and committed output that equals a fresh build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { FileRule } from '../../provisioning/src/alerting';
import { DEFAULT_RUNBOOK_URL, RUNBOOK_FILE } from '../../provisioning/src/alerting/runbook';
import { DATASOURCE_UIDS, POSTGRES_TYPE } from '../../provisioning/src/datasources';
import { evaluateRule, firing, thresholdPredicate } from './alerting-evaluator';

type Json = Record<string, any>;

const REPO = path.resolve(__dirname, '../..');
const PROVISIONING = path.join(REPO, 'provisioning');
const ALERTING_FILE = path.join(PROVISIONING, 'alerting/matviewops.yaml');

const text = readFileSync(ALERTING_FILE, 'utf8');
const file: Json = parseYaml(text);
const groups: Json[] = file.groups ?? [];
const rules: FileRule[] = groups.flatMap((g) => g.rules ?? []);
const ruleByUid = (uid: string) => rules.find((r) => r.uid === uid)!;

/** Prometheus' model.ParseDuration, which Grafana uses for interval, for, keepFiringFor and routing times. */
const DURATION = /^(?:0|(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?)$/;
function seconds(d: string): number {
  expect({ duration: d, parses: DURATION.test(d) && d !== '' }).toEqual({ duration: d, parses: true });
  const units: Record<string, number> = { y: 31536000, w: 604800, d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };
  return [...d.matchAll(/(\d+)(ms|[ywdhms])/g)].reduce((sum, [, n, u]) => sum + Number(n) * units[u], 0);
}

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const f = path.join(dir, e.name);
    return e.isDirectory() ? filesBelow(f) : [f];
  });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = markdown
    .split('\n')
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) =>
      l
        .replace(/^#+ /, '')
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-')
    );
  return new Set(anchors);
}

const isExpression = (q: Json) => q.datasourceUid === '__expr__';

describe('the committed alerting file', () => {
  test('equals a fresh `npm run provisioning:build` (regenerated into a temp dir)', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'matviewops-alerting-'));
    try {
      const env = { ...process.env };
      delete env.MATVIEWOPS_RUNBOOK_URL; // the committed file is built with the default runbook address
      execFileSync(path.join(REPO, 'node_modules/.bin/tsx'), [path.join(PROVISIONING, 'src/build.ts'), '--out', out], {
        cwd: REPO,
        stdio: 'pipe',
        env,
      });
      const generated = filesBelow(path.join(out, 'alerting')).map((f) => path.relative(out, f));
      const inRepo = filesBelow(path.join(PROVISIONING, 'alerting')).map((f) => path.relative(PROVISIONING, f));
      expect(inRepo.sort()).toEqual(generated.sort());
      expect(readFileSync(path.join(out, 'alerting/matviewops.yaml'), 'utf8')).toBe(text);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('is apiVersion 1 with rule groups and a contact point, and provisions no notification policies', () => {
    expect(file.apiVersion).toBe(1);
    expect(Object.keys(file).sort()).toEqual(['apiVersion', 'contactPoints', 'groups']);
    // `policies` would replace the organisation's whole policy tree; the rules route with notification_settings.
    expect(file.policies).toBeUndefined();
    expect(text).not.toMatch(/^\s*(policies|resetPolicies|deleteRules):/m);
  });

  test('groups: organisation, name, folder title and an interval Grafana parses (a multiple of its 10 s base)', () => {
    expect(groups.map((g) => [g.name, g.interval])).toEqual([
      ['matviewops freshness', '1m'],
      ['matviewops scheduler', '1m'],
      ['matviewops drift', '1h'],
    ]);
    for (const g of groups) {
      expect(g.orgId).toBe(1);
      expect(g.folder).toBe('Operations'); // the operations dashboard's folder
      expect(seconds(g.interval) % 10).toBe(0);
      expect(g.rules.length).toBeGreaterThan(0);
    }
    expect(new Set(groups.map((g) => g.name)).size).toBe(groups.length);
  });

  test('rules: uid, title, condition and data; uids unique, at most 40 characters; titles unique in the folder', () => {
    const uids = rules.map((r) => r.uid);
    expect(uids).toEqual([
      'matviewops-freshness-stale',
      'matviewops-freshness-failing',
      'matviewops-no-scheduler',
      'matviewops-sales-drift',
    ]);
    expect(new Set(uids).size).toBe(uids.length);
    for (const r of rules) {
      expect(r.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      expect(r.title.length).toBeGreaterThan(0);
      expect(r.title.length).toBeLessThanOrEqual(190);
      expect(r.condition).toBeTruthy();
      expect(r.data.length).toBeGreaterThan(0);
      expect(r.isPaused).toBe(false);
    }
    expect(new Set(rules.map((r) => r.title)).size).toBe(rules.length);
  });

  test('durations parse: for and routing times', () => {
    for (const r of rules) {
      seconds(r.for);
      if (r.keepFiringFor) {
        seconds(r.keepFiringFor);
      }
      for (const key of ['group_wait', 'group_interval', 'repeat_interval'] as const) {
        const v = r.notification_settings?.[key];
        if (v) {
          seconds(v);
        }
      }
    }
    expect(rules.map((r) => [r.uid, r.for])).toEqual([
      ['matviewops-freshness-stale', '5m'],
      ['matviewops-freshness-failing', '5m'],
      ['matviewops-no-scheduler', '5m'],
      ['matviewops-sales-drift', '0s'],
    ]);
  });

  test('data: unique refIds; the condition names an expression; each expression reads a query that exists', () => {
    for (const r of rules) {
      const refs = r.data.map((q) => q.refId);
      expect(new Set(refs).size).toBe(refs.length);
      const condition = r.data.find((q) => q.refId === r.condition);
      expect(condition).toBeDefined();
      expect(isExpression(condition!)).toBe(true);
      for (const q of r.data) {
        expect((q.model as Json).refId).toBe(q.refId);
        if (isExpression(q)) {
          expect(refs).toContain((q.model as Json).expression);
          expect((q.model as Json).expression).not.toBe(q.refId);
        }
      }
    }
  });

  test('data source queries: a provisioned PostgreSQL data source, table format, raw SQL, a relative time range', () => {
    const provisioned = new Set<string>(DATASOURCE_UIDS);
    const dsFile = path.join(PROVISIONING, 'datasources/matviewops.yaml');
    const uids = (parseYaml(readFileSync(dsFile, 'utf8')).datasources ?? []).map((d: Json) => d.uid);
    expect(uids).toEqual(expect.arrayContaining([...provisioned]));
    for (const r of rules) {
      const queries = r.data.filter((q) => !isExpression(q));
      expect(queries).toHaveLength(1);
      for (const q of queries) {
        const model = q.model as Json;
        expect(provisioned.has(q.datasourceUid)).toBe(true);
        expect(model.datasource).toEqual({ type: POSTGRES_TYPE, uid: q.datasourceUid });
        expect(model).toMatchObject({ format: 'table', editorMode: 'code', rawQuery: true });
        expect(typeof model.rawSql).toBe('string');
        // Alert queries read views and take no time from the server clock (the dashboards' rule too).
        expect(model.rawSql).not.toMatch(/\bnow\(\)|current_date|current_timestamp/i);
        expect(Number.isInteger(q.relativeTimeRange?.from)).toBe(true);
        expect(Number.isInteger(q.relativeTimeRange?.to)).toBe(true);
        expect(q.relativeTimeRange!.from).toBeGreaterThan(q.relativeTimeRange!.to);
        expect(q.relativeTimeRange!.to).toBeGreaterThanOrEqual(0);
      }
    }
  });

  test('expression models validate against Grafana expression schema, and are thresholds Grafana accepts', () => {
    const schema = JSON.parse(readFileSync(path.join(__dirname, 'schemas/expr.jsonschema.json'), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    for (const r of rules) {
      for (const q of r.data.filter(isExpression)) {
        const ok = validate(q.model);
        expect({ rule: r.uid, refId: q.refId, errors: ok ? null : validate.errors }).toEqual({
          rule: r.uid,
          refId: q.refId,
          errors: null,
        });
        const model = q.model as Json;
        expect(model.type).toBe('threshold');
        expect(model.datasource).toEqual({ type: '__expr__', uid: '__expr__' });
        // Grafana: "threshold expression requires exactly one condition", with enough parameters for its type.
        expect(model.conditions).toHaveLength(1);
        expect(() => thresholdPredicate(model.conditions[0].evaluator)).not.toThrow();
      }
    }
  });

  test('no data is OK (an empty registry pages nobody); a query error pages (Error: a DatasourceError alert)', () => {
    for (const r of rules) {
      expect(['Alerting', 'NoData', 'OK', 'KeepLast']).toContain(r.noDataState);
      expect(['Alerting', 'Error', 'OK', 'KeepLast']).toContain(r.execErrState);
      expect(r.noDataState).toBe('OK');
      expect(['Alerting', 'Error']).toContain(r.execErrState);
    }
    // No rows at all: one NoData instance, recorded OK.
    for (const r of rules) {
      const [only] = evaluateRule(r, { A: [] });
      expect(only.state).toBe('NoData');
    }
  });

  test('every rule links a panel of the generated operations dashboard', () => {
    const dashboards = filesBelow(path.join(PROVISIONING, 'dashboards'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(f, 'utf8')));
    for (const r of rules) {
      const d = dashboards.find((x) => x.uid === r.dashboardUid);
      expect({ rule: r.uid, dashboard: d?.uid }).toEqual({ rule: r.uid, dashboard: 'matviewops-operations' });
      const panels = (d.panels ?? []).flatMap((p: Json) => [p, ...(p.panels ?? [])]);
      expect(panels.map((p: Json) => p.id)).toContain(r.panelId);
    }
    const titleOf = (r: FileRule) => {
      const d = dashboards.find((x) => x.uid === r.dashboardUid);
      return d.panels.find((p: Json) => p.id === r.panelId).title;
    };
    expect(titleOf(ruleByUid('matviewops-freshness-stale'))).toBe('Managed views');
    expect(titleOf(ruleByUid('matviewops-no-scheduler'))).toBe('Scheduler');
  });

  test('annotations: summary, description and a runbook_url whose anchor is a heading of docs/runbook.md', () => {
    const anchors = anchorsOf(readFileSync(path.join(REPO, RUNBOOK_FILE), 'utf8'));
    for (const r of rules) {
      expect(Object.keys(r.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
      expect(r.annotations.summary).toMatch(/\{\{ \$labels\.\w+ \}\}/);
      expect(r.annotations.description).toMatch(/\{\{ \$labels\.\w+ \}\}/);
      expect(r.annotations.description).toMatch(/\$values\.A\.Value/);
      const url = new URL(r.annotations.runbook_url);
      expect(`${url.origin}${url.pathname}`).toBe(DEFAULT_RUNBOOK_URL);
      expect(url.pathname.endsWith(`/${RUNBOOK_FILE}`)).toBe(true);
      expect({ rule: r.uid, anchorExists: anchors.has(url.hash.slice(1)) }).toEqual({
        rule: r.uid,
        anchorExists: true,
      });
      // Grafana may come to expand ${VAR} in annotations: none may look like one.
      expect(JSON.stringify(r.annotations)).not.toContain('${');
      // $values names a refId of the rule.
      for (const [, ref] of JSON.stringify(r.annotations).matchAll(/\$values\.(\w+)/g)) {
        expect(r.data.map((q) => q.refId)).toContain(ref);
      }
    }
  });

  test('labels: fixed severity per rule, nothing Grafana would expand, nothing the query already names', () => {
    expect(rules.map((r) => [r.uid, r.labels.severity])).toEqual([
      ['matviewops-freshness-stale', 'warning'],
      ['matviewops-freshness-failing', 'critical'],
      ['matviewops-no-scheduler', 'critical'],
      ['matviewops-sales-drift', 'warning'],
    ]);
    for (const r of rules) {
      expect(r.labels.service).toBe('matviewops');
      for (const [k, v] of Object.entries(r.labels)) {
        expect(k).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
        expect(v).not.toContain('$'); // provisioning expands environment variables in labels
        expect(['view', 'pack']).not.toContain(k);
      }
    }
  });

  test('the two freshness rules read one query and split its severities: 2 warns, 3 pages, nothing fires twice', () => {
    const stale = ruleByUid('matviewops-freshness-stale');
    const failing = ruleByUid('matviewops-freshness-failing');
    expect((stale.data[0].model as Json).rawSql).toBe((failing.data[0].model as Json).rawSql);
    expect((stale.data[0].model as Json).rawSql).toContain('mv_ops.freshness_alert');
    const numbers = [0, 1, 2, 3].map((s) => ({ labels: { view: `v${s}`, pack: 'p' }, value: s }));
    expect(firing(evaluateRule(stale, { A: numbers }))).toEqual(['pack=p,view=v2']);
    expect(firing(evaluateRule(failing, { A: numbers }))).toEqual(['pack=p,view=v3']);
  });

  test('the drift rule has its own hourly group and is the only rule named drift (the EXPLAIN test exempts it)', () => {
    const drift = groups.find((g) => g.name === 'matviewops drift')!;
    expect(drift.rules.map((r: FileRule) => r.uid)).toEqual(['matviewops-sales-drift']);
    expect(seconds(drift.interval)).toBe(3600);
    expect(rules.filter((r) => /drift/i.test(`${r.uid} ${r.title}`)).map((r) => r.uid)).toEqual([
      'matviewops-sales-drift',
    ]);
    expect((ruleByUid('matviewops-sales-drift').data[0].model as Json).rawSql).toContain('pos.drift_alert');
  });

  test('notification_settings route every rule to the contact point, grouped as Grafana requires', () => {
    const names = (file.contactPoints as Json[]).map((c) => c.name);
    for (const r of rules) {
      const ns = r.notification_settings!;
      expect(names).toContain(ns.receiver);
      // Grafana refuses a group_by override without these two (unless it is ['...']).
      expect(ns.group_by).toEqual(expect.arrayContaining(['alertname', 'grafana_folder']));
    }
  });

  test('the contact point: a webhook whose URL Grafana reads from its environment', () => {
    expect(file.contactPoints).toEqual([
      {
        orgId: 1,
        name: 'matviewops on-call',
        receivers: [
          {
            uid: 'matviewops-oncall-webhook',
            type: 'webhook',
            disableResolveMessage: false,
            settings: { url: '$MATVIEWOPS_ALERT_WEBHOOK_URL', httpMethod: 'POST' },
          },
        ],
      },
    ]);
    for (const cp of file.contactPoints as Json[]) {
      for (const rcv of cp.receivers) {
        expect(rcv.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
      }
    }
  });
});
