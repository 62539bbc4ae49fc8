// /d/<uid>: a page shaped like a Grafana dashboard: the dashboard JSON from
// /api/dashboards/uid/<uid>, panel plugins loaded from their meta (config.panels), each panel in
// @grafana/ui's PanelChrome on Grafana's 24-column grid with its real PanelProps, a shared time
// range published as the scene context (sceneContext.ts) and an event bus per panel.
import React, { useEffect, useMemo, useState } from 'react';
import { useParams } from 'react-router';
import { css } from '@emotion/css';
import { EventBusSrv, type GrafanaTheme2, type PanelPlugin, type TimeRange } from '@grafana/data';
import { config, getBackendSrv } from '@grafana/runtime';
import { Alert, ErrorBoundaryAlert, LoadingPlaceholder, PanelChrome, useStyles2 } from '@grafana/ui';
import type { HostDashboard, HostPanel } from '../host/dashboards';
import { mergeOptions, panelProps } from './panelProps';
import { importPanelPlugin } from './pluginImporter';
import { evaluateTimeRange, publishSceneContext } from './sceneContext';

// Grafana's grid: 24 columns, rows of 30 px with 8 px gaps (GRID_CELL_HEIGHT, GRID_CELL_VMARGIN).
const COLUMNS = 24;
const CELL_HEIGHT = 30;
const MARGIN = 8;

type Loaded =
  | { kind: 'loading' }
  | { kind: 'failed'; message: string }
  | { kind: 'ready'; dashboard: HostDashboard; plugins: Record<string, PanelPlugin> };

async function loadDashboard(uid: string): Promise<{ dashboard: HostDashboard; plugins: Record<string, PanelPlugin> }> {
  const { dashboard } = await getBackendSrv().get<{ dashboard: HostDashboard }>(`/api/dashboards/uid/${uid}`);
  const plugins: Record<string, PanelPlugin> = {};
  for (const type of new Set(dashboard.panels.map((p) => p.type))) {
    const meta = config.panels[type];
    if (!meta) {
      throw new Error(`Panel plugin not found: ${type}`);
    }
    plugins[type] = await importPanelPlugin(meta);
  }
  return { dashboard, plugins };
}

function useContainerWidth(): [number, (el: HTMLDivElement | null) => void] {
  const [el, setEl] = useState<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    if (!el) {
      return;
    }
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, [el]);
  return [width, setEl];
}

function DashboardPanel(props: {
  plugin: PanelPlugin;
  panel: HostPanel;
  columnWidth: number;
  timeRange: TimeRange;
  renderCounter: number;
}) {
  const { plugin, panel, columnWidth } = props;
  const eventBus = useMemo(() => new EventBusSrv(), []);
  const [options, setOptions] = useState(() => mergeOptions(plugin.defaults, panel.options));
  const [timeRange, setTimeRange] = useState(props.timeRange);
  useEffect(() => setTimeRange(props.timeRange), [props.timeRange]);
  const { x, y, w, h } = panel.gridPos;
  const width = Math.floor(w * columnWidth - MARGIN);
  const height = h * CELL_HEIGHT + (h - 1) * MARGIN;
  const Panel = plugin.panel!;
  return (
    <div
      style={{ position: 'absolute', left: x * columnWidth, top: y * (CELL_HEIGHT + MARGIN), width, height }}
      data-panelid={panel.id}
    >
      <PanelChrome width={width} height={height} title={panel.title} padding={plugin.noPadding ? 'none' : 'md'}>
        {(innerWidth, innerHeight) => (
          <ErrorBoundaryAlert title="Panel plugin error">
            <Panel
              {...panelProps({
                plugin,
                panel,
                options,
                width: innerWidth,
                height: innerHeight,
                timeRange,
                eventBus,
                renderCounter: props.renderCounter,
                onOptionsChange: setOptions,
                onChangeTimeRange: ({ from, to }) =>
                  setTimeRange(evaluateTimeRange({ from: String(from), to: String(to) })),
              })}
            />
          </ErrorBoundaryAlert>
        )}
      </PanelChrome>
    </div>
  );
}

export function DashboardPage() {
  const { uid = '' } = useParams();
  const styles = useStyles2(getStyles);
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [timeRange, setTimeRange] = useState<TimeRange>();
  const [renderCounter, setRenderCounter] = useState(0);
  const [width, measure] = useContainerWidth();

  useEffect(() => {
    let current = true;
    loadDashboard(uid).then(
      (d) => current && setLoaded({ kind: 'ready', ...d }),
      (err: Error) => {
        console.error(err);
        if (current) {
          setLoaded({ kind: 'failed', message: err.message });
        }
      }
    );
    return () => {
      current = false;
    };
  }, [uid]);

  const dashboard = loaded.kind === 'ready' ? loaded.dashboard : undefined;
  useEffect(() => {
    if (!dashboard) {
      return;
    }
    return publishSceneContext(dashboard, (value) => {
      setTimeRange(value);
      setRenderCounter((n) => n + 1);
    });
  }, [dashboard]);

  if (loaded.kind === 'loading') {
    return <LoadingPlaceholder text="Loading dashboard…" />;
  }
  if (loaded.kind === 'failed') {
    return <Alert title="Dashboard could not be loaded">{loaded.message}</Alert>;
  }
  const rows = Math.max(...loaded.dashboard.panels.map((p) => p.gridPos.y + p.gridPos.h));
  return (
    <div>
      <h1 className={styles.title}>{loaded.dashboard.title}</h1>
      <div ref={measure} className={styles.grid} style={{ height: rows * (CELL_HEIGHT + MARGIN) }}>
        {width > 0 &&
          timeRange &&
          loaded.dashboard.panels.map((p) => (
            <DashboardPanel
              key={p.id}
              plugin={loaded.plugins[p.type]}
              panel={p}
              columnWidth={(width + MARGIN) / COLUMNS}
              timeRange={timeRange}
              renderCounter={renderCounter}
            />
          ))}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  title: css({ fontSize: theme.typography.h3.fontSize, marginBottom: theme.spacing(2) }),
  grid: css({ position: 'relative', width: '100%' }),
});
