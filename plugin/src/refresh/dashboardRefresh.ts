// Re-runs the queries of the dashboard the panel sits on, the way Grafana 13's own refresh button does.
//
// Grafana 13 dashboards are Scenes. Their refresh button and the `d r` shortcut call
// `sceneGraph.getTimeRange(scene).onRefresh()` (grafana/scenes packages/scenes/src/components/
// SceneRefreshPicker.tsx; grafana/grafana public/app/features/dashboard-scene/scene/keyboardShortcuts.ts);
// `SceneTimeRange.onRefresh` (packages/scenes/src/core/SceneTimeRange.tsx) sets a new range value, which
// every SceneQueryRunner re-runs on (packages/scenes/src/querying/SceneQueryRunner.ts,
// subscribeToTimeRangeChanges). The dashboard's time range is `state.$timeRange` of the scene that
// DashboardScene._activationHandler publishes as `window.__grafanaSceneContext`
// (public/app/features/dashboard-scene/scene/DashboardScene.tsx). Publishing RefreshEvent on the panel's
// eventBus or on appEvents re-runs nothing in Scenes (it is a notification sent after a refresh), and
// locationService.reload() rebuilds the whole dashboard, losing unsaved edits.
interface SceneContext {
  state?: { $timeRange?: { onRefresh?: () => void } };
}

/** True when a dashboard was there to refresh. */
export function refreshDashboard(): boolean {
  const timeRange = (window as { __grafanaSceneContext?: SceneContext }).__grafanaSceneContext?.state?.$timeRange;
  if (typeof timeRange?.onRefresh !== 'function') {
    return false;
  }
  timeRange.onRefresh();
  return true;
}
