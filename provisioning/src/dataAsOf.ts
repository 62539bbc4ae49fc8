// The "Data as of" stat the pack dashboards share: when the least recently refreshed view was refreshed,
// how long the oldest unseen change has waited (coloured by the pack's thresholds), how many views are not fresh.
import * as common from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import { fixedColor, lastValue, prop, thresholdColors, thresholds } from './common';
import { datasourceRef } from './datasources';
import { tableQuery } from './query';

export interface DataAsOf {
  id: number;
  description: string;
  datasourceUid: string;
  sql: string;
  gridPos: dashboard.GridPos;
  /** "Behind by" turns orange, then red, past these many seconds. */
  behindWarnSeconds: number;
  behindErrorSeconds: number;
}

export const dataAsOfStat = (o: DataAsOf): stat.PanelBuilder =>
  new stat.PanelBuilder()
    .id(o.id)
    .title('Data as of')
    .description(o.description)
    .datasource(datasourceRef(o.datasourceUid))
    .withTarget(tableQuery(o.datasourceUid, o.sql))
    .gridPos(o.gridPos)
    .reduceOptions(lastValue())
    .textMode(common.BigValueTextMode.ValueAndName)
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.None)
    .orientation(common.VizOrientation.Vertical)
    .colorScheme(thresholdColors())
    .thresholds(thresholds([null, 'green']))
    .overrideByName('Data as of', [
      prop('unit', 'dateTimeAsIsoNoDateIfToday'),
      prop('color', fixedColor('text').build()),
    ])
    .overrideByName('Behind by', [
      prop('unit', 's'),
      prop(
        'thresholds',
        thresholds([null, 'green'], [o.behindWarnSeconds, 'orange'], [o.behindErrorSeconds, 'red']).build()
      ),
    ])
    .overrideByName('Views not fresh', [prop('thresholds', thresholds([null, 'green'], [1, 'red']).build())]);
