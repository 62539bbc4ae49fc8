// The time-series panel the dashboards share: one time_series query, palette colours, a shared tooltip.
import type * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { paletteColors, sharedTooltip } from './common';
import { datasourceRef } from './datasources';
import { timeSeriesQuery } from './query';

export interface TimeSeriesPanel {
  id: number;
  title: string;
  description: string;
  datasourceUid: string;
  sql: string;
  gridPos: dashboard.GridPos;
  legend: common.VizLegendOptionsBuilder;
}

export const timeSeriesPanel = (o: TimeSeriesPanel): timeseries.PanelBuilder =>
  new timeseries.PanelBuilder()
    .id(o.id)
    .title(o.title)
    .description(o.description)
    .datasource(datasourceRef(o.datasourceUid))
    .withTarget(timeSeriesQuery(o.datasourceUid, o.sql))
    .gridPos(o.gridPos)
    .legend(o.legend)
    .tooltip(sharedTooltip())
    .colorScheme(paletteColors());
