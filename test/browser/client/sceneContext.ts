// The one dashboard refresh the panel may trigger, as Grafana 13 dashboards (Scenes) expose it: the
// active DashboardScene published as window.__grafanaSceneContext, whose state.$timeRange is a
// SceneTimeRange; onRefresh() re-evaluates the range (new `value`) and every query runner re-runs
// (grafana/scenes SceneTimeRange.onRefresh; grafana public/app/features/dashboard-scene/scene/
// DashboardScene.tsx). The host's time range does the same for its panels and counts the calls in
// window.__matviewopsHost.dashboardRefreshes, which the specs read.
import { dateMath, type RawTimeRange, type TimeRange } from '@grafana/data';

export interface HostSceneTimeRange {
  state: { from: string; to: string; timeZone: string; value: TimeRange };
  onRefresh(): void;
}

export interface HostCounters {
  dashboardRefreshes: number;
}

declare global {
  interface Window {
    __grafanaSceneContext?: { state: { uid: string; title: string; $timeRange: HostSceneTimeRange } };
    __matviewopsHost?: HostCounters;
  }
}

export function evaluateTimeRange(raw: RawTimeRange): TimeRange {
  const from = dateMath.toDateTime(raw.from, { roundUp: false });
  const to = dateMath.toDateTime(raw.to, { roundUp: true });
  if (!from || !to) {
    throw new Error(`cannot evaluate the time range ${String(raw.from)} to ${String(raw.to)}`);
  }
  return { from, to, raw };
}

/** Publishes the dashboard's scene context until the returned function takes it down again. */
export function publishSceneContext(
  dashboard: { uid: string; title: string; time: { from: string; to: string } },
  onRange: (value: TimeRange) => void
): () => void {
  const counters = (window.__matviewopsHost ??= { dashboardRefreshes: 0 });
  const timeRange: HostSceneTimeRange = {
    state: {
      from: dashboard.time.from,
      to: dashboard.time.to,
      timeZone: 'browser',
      value: evaluateTimeRange(dashboard.time),
    },
    onRefresh() {
      counters.dashboardRefreshes += 1;
      timeRange.state = { ...timeRange.state, value: evaluateTimeRange(dashboard.time) };
      onRange(timeRange.state.value);
    },
  };
  const previous = window.__grafanaSceneContext;
  window.__grafanaSceneContext = { state: { uid: dashboard.uid, title: dashboard.title, $timeRange: timeRange } };
  onRange(timeRange.state.value);
  return () => {
    window.__grafanaSceneContext = previous;
  };
}
