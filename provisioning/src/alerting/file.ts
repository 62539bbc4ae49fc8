// The SDK builds alert rules in the HTTP API shape (folderUID, interval in seconds, orgID, dashboard link as
// __dashboardUid__/__panelId__ annotations); Grafana's provisioning files want another (pkg/services/provisioning/alerting
// rules_types.go and contact_point_types.go): groups with a folder title and a duration string, rules with
// dashboardUid/panelId, contact points with receivers. This is that conversion, and nothing else.
import type * as alerting from '@grafana/grafana-foundation-sdk/alerting';

export interface FileQuery {
  refId: string;
  relativeTimeRange?: { from: number; to: number };
  datasourceUid: string;
  model: Record<string, unknown>;
}

export interface FileRule {
  uid: string;
  title: string;
  condition: string;
  data: FileQuery[];
  dashboardUid?: string;
  panelId?: number;
  noDataState: string;
  execErrState: string;
  for: string;
  keepFiringFor?: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  isPaused: boolean;
  notification_settings?: alerting.NotificationSettings;
}

export interface FileGroup {
  orgId: number;
  name: string;
  folder: string;
  interval: string;
  rules: FileRule[];
}

export interface FileReceiver {
  uid: string;
  type: string;
  disableResolveMessage: boolean;
  settings: Record<string, unknown>;
}

export interface FileContactPoint {
  orgId: number;
  name: string;
  receivers: FileReceiver[];
}

export interface AlertingFile {
  apiVersion: 1;
  groups: FileGroup[];
  contactPoints: FileContactPoint[];
}

/** 60 → "1m", 3600 → "1h", 90 → "90s": the shortest duration Grafana's parser reads back as the same seconds. */
export function durationOf(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds <= 0) {
    throw new Error(`an evaluation interval must be a positive number of seconds, not ${seconds}`);
  }
  if (seconds % 3600 === 0) {
    return `${seconds / 3600}h`;
  }
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** Plain JSON: drops the SDK's marker functions (_implementsDataqueryVariant) and undefined fields. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function fileQuery(q: alerting.Query): FileQuery {
  if (!q.refId || !q.datasourceUid || !q.model) {
    throw new Error(`an alert query needs refId, datasourceUid and model: ${JSON.stringify(q)}`);
  }
  const out: FileQuery = {
    refId: q.refId,
    datasourceUid: q.datasourceUid,
    model: plain(q.model) as unknown as Record<string, unknown>,
  };
  if (q.relativeTimeRange) {
    // Key order as Grafana exports it: refId, relativeTimeRange, datasourceUid, model.
    return {
      refId: out.refId,
      relativeTimeRange: { from: q.relativeTimeRange.from ?? 0, to: q.relativeTimeRange.to ?? 0 },
      datasourceUid: out.datasourceUid,
      model: out.model,
    };
  }
  return out;
}

export function fileRule(rule: alerting.Rule): FileRule {
  if (!rule.uid) {
    throw new Error(`rule "${rule.title}" has no uid`);
  }
  const { __dashboardUid__: dashboardUid, __panelId__: panelId, ...annotations } = rule.annotations ?? {};
  const out: FileRule = {
    uid: rule.uid,
    title: rule.title,
    condition: rule.condition,
    data: rule.data.map(fileQuery),
    noDataState: rule.noDataState,
    execErrState: rule.execErrState,
    for: rule.for,
    annotations,
    labels: rule.labels ?? {},
    isPaused: rule.isPaused ?? false,
  };
  if (dashboardUid) {
    out.dashboardUid = dashboardUid;
    out.panelId = Number(panelId);
  }
  if (rule.keep_firing_for) {
    out.keepFiringFor = rule.keep_firing_for;
  }
  if (rule.notification_settings) {
    out.notification_settings = plain(rule.notification_settings);
  }
  return orderRule(out);
}

/** Keys in the order Grafana's own export writes them, so the file reads like one. */
function orderRule(r: FileRule): FileRule {
  const keys: Array<keyof FileRule> = [
    'uid',
    'title',
    'condition',
    'data',
    'dashboardUid',
    'panelId',
    'noDataState',
    'execErrState',
    'for',
    'keepFiringFor',
    'annotations',
    'labels',
    'isPaused',
    'notification_settings',
  ];
  return Object.fromEntries(keys.filter((k) => r[k] !== undefined).map((k) => [k, r[k]])) as unknown as FileRule;
}

export function fileGroup(group: alerting.RuleGroup, folder: string, orgId: number): FileGroup {
  if (!group.title || group.interval === undefined) {
    throw new Error('a rule group needs a title and an interval');
  }
  return {
    orgId,
    name: group.title,
    folder,
    interval: durationOf(group.interval),
    rules: (group.rules ?? []).map(fileRule),
  };
}

/** Contact points of the same name become one contact point with a receiver each. */
export function fileContactPoints(points: alerting.ContactPoint[], orgId: number): FileContactPoint[] {
  const byName = new Map<string, FileContactPoint>();
  for (const p of points) {
    if (!p.name || !p.uid) {
      throw new Error(`a contact point needs a name and a uid: ${JSON.stringify(p)}`);
    }
    const cp = byName.get(p.name) ?? { orgId, name: p.name, receivers: [] };
    cp.receivers.push({
      uid: p.uid,
      type: p.type,
      disableResolveMessage: p.disableResolveMessage ?? false,
      settings: plain(p.settings),
    });
    byName.set(p.name, cp);
  }
  return [...byName.values()];
}
