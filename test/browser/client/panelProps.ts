// PanelProps as a dashboard hands them to a panel plugin: options are the plugin's option defaults
// (its builder's defaultValue per path, PanelPlugin.defaults) with the saved options over them,
// arrays replaced rather than merged, as Grafana's getPanelOptionsWithDefaults does.
import {
  LoadingState,
  type EventBus,
  type PanelPlugin,
  type PanelProps,
  type ScopedVars,
  type TimeRange,
} from '@grafana/data';
import type { HostPanel } from '../host/dashboards';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergeOptions(defaults: unknown, saved: unknown): unknown {
  if (!isPlainObject(defaults) || !isPlainObject(saved)) {
    return saved === undefined ? structuredClone(defaults) : structuredClone(saved);
  }
  const out: Record<string, unknown> = structuredClone(defaults);
  for (const [k, v] of Object.entries(saved)) {
    out[k] = mergeOptions(defaults[k], v);
  }
  return out;
}

/**
 * templateSrv.replace for a dashboard without variables: the global time variables are filled in
 * (milliseconds, as ${__from} gives them); anything else is left as written, as Grafana leaves an
 * unknown variable.
 */
export function replaceVariablesFor(range: TimeRange) {
  const values: Record<string, string> = {
    __from: String(range.from.valueOf()),
    __to: String(range.to.valueOf()),
  };
  return (value: string, scopedVars?: ScopedVars) =>
    value.replace(/\$\{(__from|__to)\}|\$(__from|__to)\b/g, (whole, a?: string, b?: string) => {
      const name = (a ?? b)!;
      const scoped = scopedVars?.[name]?.value;
      return scoped === undefined ? (values[name] ?? whole) : String(scoped);
    });
}

export interface PanelPropsInput {
  plugin: PanelPlugin;
  panel: HostPanel;
  options: unknown;
  width: number;
  height: number;
  timeRange: TimeRange;
  eventBus: EventBus;
  renderCounter: number;
  onOptionsChange: (options: unknown) => void;
  onChangeTimeRange: (range: { from: number; to: number }) => void;
}

export function panelProps(i: PanelPropsInput): PanelProps<any> {
  return {
    id: i.panel.id,
    title: i.panel.title,
    data: { state: LoadingState.Done, series: [], timeRange: i.timeRange },
    timeRange: i.timeRange,
    timeZone: 'browser',
    options: i.options,
    fieldConfig: { defaults: {}, overrides: [] },
    transparent: false,
    width: i.width,
    height: i.height,
    renderCounter: i.renderCounter,
    eventBus: i.eventBus,
    replaceVariables: replaceVariablesFor(i.timeRange),
    onOptionsChange: i.onOptionsChange,
    onFieldConfigChange: () => undefined,
    onChangeTimeRange: i.onChangeTimeRange,
  };
}
