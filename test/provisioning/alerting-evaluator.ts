// What Grafana does with an alert rule's results, for the tests: a table-format SQL result becomes one number per row
// with its string columns as labels (pkg/expr isNumberTable/extractNumberSet), each server-side expression of the rule's
// generated model is applied to those numbers (Threshold, the only kind the rules use: pkg/expr/threshold.go), and the
// condition's numbers become instance states (pkg/services/ngalert/eval: 0 Normal, other numbers Alerting, none NoData).
// Our own code, written from reading Grafana's; anything the rules might use and this does not know is an error.
import type { QueryResult } from 'pg';
import type { FileRule } from '../../provisioning/src/alerting';

export type Labels = Record<string, string>;

export interface NumberValue {
  labels: Labels;
  value: number | null;
}

export type InstanceState = 'Alerting' | 'Normal' | 'NoData';

export interface Instance extends NumberValue {
  state: InstanceState;
  /** What the instance's templates read as $values: each query's and expression's number with the same labels. */
  values: Record<string, number | null>;
}

/** PostgreSQL type oids Grafana's PostgreSQL data source reads as numbers, and as strings. */
const NUMERIC_OIDS = new Set([20, 21, 23, 700, 701, 1700]);
const TEXT_OIDS = new Set([25, 1043, 1042, 19]);

export class NotANumberTable extends Error {}

/**
 * A table-format result as alerting sees it: exactly one numeric column, every other column a string (label), no
 * NULL label and no two rows with the same labels (Grafana refuses duplicate instances).
 */
export function numbersFromTable(result: Pick<QueryResult, 'fields' | 'rows'>): NumberValue[] {
  const numeric = result.fields.filter((f) => NUMERIC_OIDS.has(f.dataTypeID));
  const text = result.fields.filter((f) => TEXT_OIDS.has(f.dataTypeID));
  const other = result.fields.filter((f) => !NUMERIC_OIDS.has(f.dataTypeID) && !TEXT_OIDS.has(f.dataTypeID));
  if (numeric.length !== 1 || other.length > 0) {
    throw new NotANumberTable(
      `expected exactly one numeric column and only text columns, got ${result.fields
        .map((f) => `${f.name}:${f.dataTypeID}`)
        .join(', ')}`
    );
  }
  const seen = new Set<string>();
  return result.rows.map((row) => {
    const labels: Labels = {};
    for (const f of text) {
      const v = row[f.name];
      if (typeof v !== 'string') {
        throw new NotANumberTable(`label column ${f.name} is NULL in ${JSON.stringify(row)}`);
      }
      labels[f.name] = v;
    }
    const key = JSON.stringify(Object.entries(labels).sort());
    if (seen.has(key)) {
      throw new NotANumberTable(`two rows have the labels ${key}`);
    }
    seen.add(key);
    const raw = row[numeric[0].name];
    return { labels, value: raw === null ? null : Number(raw) };
  });
}

type Evaluator = { type: string; params: number[] };

/** Grafana's threshold predicates (threshold.go), with its argument-count checks. */
export function thresholdPredicate(ev: Evaluator): (x: number) => boolean {
  const [a, b] = ev.params;
  const need = (n: number) => {
    if (ev.params.length < n) {
      throw new Error(`threshold ${ev.type} needs ${n} parameter(s), got ${ev.params.length}`);
    }
  };
  switch (ev.type) {
    case 'gt':
      need(1);
      return (x) => x > a;
    case 'lt':
      need(1);
      return (x) => x < a;
    case 'eq':
      need(1);
      return (x) => x === a;
    case 'ne':
      need(1);
      return (x) => x !== a;
    case 'gte':
      need(1);
      return (x) => x >= a;
    case 'lte':
      need(1);
      return (x) => x <= a;
    case 'within_range':
      need(2);
      return (x) => x > a && x < b;
    case 'outside_range':
      need(2);
      return (x) => x < a || x > b;
    case 'within_range_included':
      need(2);
      return (x) => x >= a && x <= b;
    case 'outside_range_included':
      need(2);
      return (x) => x <= a || x >= b;
    default:
      throw new Error(`unknown threshold type ${ev.type}`);
  }
}

type Model = Record<string, any>;

/** One expression node applied to the numbers of the node it reads. */
function applyExpression(model: Model, input: NumberValue[]): NumberValue[] {
  if (model.type !== 'threshold') {
    throw new Error(`this evaluator knows threshold expressions only, not ${model.type}`);
  }
  if (!Array.isArray(model.conditions) || model.conditions.length !== 1) {
    throw new Error('a threshold expression takes exactly one condition');
  }
  if (model.conditions[0].unloadEvaluator) {
    throw new Error('recovery thresholds (unloadEvaluator) are not evaluated here');
  }
  const fires = thresholdPredicate(model.conditions[0].evaluator);
  return input.map((n) => ({ labels: n.labels, value: n.value === null ? null : fires(n.value) ? 1 : 0 }));
}

/**
 * Evaluates a rule from its generated file form: `results` holds each data source query's numbers by refId.
 * Returns the condition's instances; no instance at all is one NoData instance without labels, as in Grafana.
 */
export function evaluateRule(rule: FileRule, results: Record<string, NumberValue[]>): Instance[] {
  const byRef = new Map(rule.data.map((q) => [q.refId, q]));
  const memo = new Map<string, NumberValue[]>();
  const valueOf = (refId: string, path: string[] = []): NumberValue[] => {
    if (path.includes(refId)) {
      throw new Error(`expressions form a cycle: ${[...path, refId].join(' → ')}`);
    }
    const cached = memo.get(refId);
    if (cached) {
      return cached;
    }
    const q = byRef.get(refId);
    if (!q) {
      throw new Error(`rule ${rule.uid} refers to ${refId}, which it does not define`);
    }
    let out: NumberValue[];
    if (q.datasourceUid === '__expr__') {
      const model = q.model as Model;
      out = applyExpression(model, valueOf(String(model.expression), [...path, refId]));
    } else {
      const given = results[refId];
      if (!given) {
        throw new Error(`no result given for query ${refId} of ${rule.uid}`);
      }
      out = given;
    }
    memo.set(refId, out);
    return out;
  };
  const condition = valueOf(rule.condition);
  if (condition.length === 0) {
    return [{ labels: {}, value: null, state: 'NoData', values: {} }];
  }
  const key = (l: Labels) => JSON.stringify(Object.entries(l).sort());
  return condition.map((n) => {
    const values: Record<string, number | null> = {};
    for (const [ref, numbers] of memo) {
      const same = numbers.find((m) => key(m.labels) === key(n.labels));
      if (same) {
        values[ref] = same.value;
      }
    }
    return { ...n, values, state: n.value === null ? 'NoData' : n.value === 0 ? 'Normal' : 'Alerting' };
  });
}

/** The state Grafana records for an instance, after the rule's noDataState (execution errors are not evaluated here). */
export function recordedState(rule: FileRule, instance: Instance): string {
  if (instance.state !== 'NoData') {
    return instance.state;
  }
  return rule.noDataState === 'OK' ? 'Normal' : rule.noDataState;
}

/** The label sets of the instances that fire, as sorted "k=v,k=v" strings (easy to compare in expectations). */
export function firing(instances: Instance[]): string[] {
  return instances
    .filter((i) => i.state === 'Alerting')
    .map((i) =>
      Object.entries(i.labels)
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    )
    .sort();
}

/**
 * The annotation templates the rules use, rendered for one instance: {{ $labels.x }}, {{ $values.REF.Value }} and
 * {{ humanizeDuration $values.REF.Value }}. Anything else in braces, a missing label or value, is an error, as a
 * missing map key is in Grafana's templates.
 */
export function renderTemplate(text: string, labels: Labels, values: Record<string, number | null>): string {
  return text.replace(/\{\{\s*(.*?)\s*\}\}/g, (_m, inner: string) => {
    const label = /^\$labels\.(\w+)$/.exec(inner);
    if (label) {
      if (!(label[1] in labels)) {
        throw new Error(`template reads label ${label[1]}, which the instance does not have`);
      }
      return labels[label[1]];
    }
    const value = /^(humanizeDuration\s+)?\$values\.(\w+)\.Value$/.exec(inner);
    if (value) {
      const v = values[value[2]];
      if (v === undefined || v === null) {
        throw new Error(`template reads $values.${value[2]}, which the evaluation does not have`);
      }
      return value[1] ? humanizeDuration(v) : String(v);
    }
    throw new Error(`template function not rendered here: {{ ${inner} }}`);
  });
}

/** Enough of Prometheus' humanizeDuration for the tests to read: "20m 0s". */
function humanizeDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const parts = [
    [Math.floor(s / 86400), 'd'],
    [Math.floor((s % 86400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
  ].filter(([n]) => Number(n) > 0);
  return [...parts.map(([n, u]) => `${n}${u}`), `${s % 60}s`].join(' ');
}
