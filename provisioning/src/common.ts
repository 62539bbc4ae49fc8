// What the three dashboards share: their uids and folders, tags, links to each other and to the app,
// and small field-config helpers so every panel says units, colours and thresholds the same way.
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { APP_VIEWS_URL } from './app';

export interface DashboardInfo {
  uid: string;
  title: string;
  /** The folder Grafana shows it in: the directory under provisioning/dashboards (foldersFromFilesStructure). */
  folder: string;
}

export const SALES_OVERVIEW: DashboardInfo = {
  uid: 'matviewops-sales-overview',
  title: 'Sales overview',
  folder: 'Sales',
};
export const PLATFORM: DashboardInfo = { uid: 'matviewops-platform', title: 'Funeral platform', folder: 'Platform' };
export const OPERATIONS: DashboardInfo = {
  uid: 'matviewops-operations',
  title: 'Materialized view operations',
  folder: 'Operations',
};
export const ALL_DASHBOARDS = [SALES_OVERVIEW, PLATFORM, OPERATIONS];

/** Every dashboard carries this tag, so Grafana's search lists them together. */
export const PRODUCT_TAG = 'matviewops';

/** Links to the other two dashboards (keeping the time range) and to the app's views page. */
export function dashboardLinks(self: DashboardInfo): dashboard.DashboardLinkBuilder[] {
  const others = ALL_DASHBOARDS.filter((d) => d.uid !== self.uid).map((d) =>
    new dashboard.DashboardLinkBuilder(d.title)
      .type(dashboard.DashboardLinkType.Link)
      .url(`/d/${d.uid}`)
      .icon('dashboard')
      .tooltip(`Open the ${d.title} dashboard`)
      .keepTime(true)
  );
  const app = new dashboard.DashboardLinkBuilder('Managed views (app)')
    .type(dashboard.DashboardLinkType.Link)
    .url(APP_VIEWS_URL)
    .icon('apps')
    .tooltip('State, history and refresh of every managed view in the Matview Ops app');
  return [...others, app];
}

/** A dashboard with the defaults all three share: uid, title, tags, links, not editable once provisioned. */
export function baseDashboard(info: DashboardInfo, tags: string[]): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(info.title)
    .uid(info.uid)
    .tags([PRODUCT_TAG, ...tags])
    .links(dashboardLinks(info))
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .readonly()
    .timepicker(new dashboard.TimePickerBuilder().refreshIntervals(['1m', '5m', '15m', '30m', '1h']));
}

/** Where a panel sits: x and width in 24 columns, y and height in grid rows. */
export const at = (x: number, y: number, w: number, h: number): dashboard.GridPos => ({ x, y, w, h });

type Step = [value: number | null, color: string];

export function thresholds(...steps: Step[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps(steps.map(([value, color]) => ({ value, color })));
}

export const fixedColor = (color: string) =>
  new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Fixed).fixedColor(color);

export const paletteColors = () => new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.PaletteClassic);

export const thresholdColors = () => new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds);

export const bottomLegend = () =>
  new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.List)
    .placement(common.LegendPlacement.Bottom)
    .calcs([]);

export const tableLegend = (calcs: string[]) =>
  new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.Table)
    .placement(common.LegendPlacement.Right)
    .calcs(calcs);

export const sharedTooltip = () =>
  new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending);

export const lastValue = () => new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false).fields('');

/** Thai baht, as the venue's POS records it (Grafana has no built-in THB unit). */
export const BAHT = 'prefix:฿';

/** Platform amounts are in the platform's currency; no symbol is assumed. */
export const AMOUNT = 'short';

/** Negative red, zero and above green: growth and change columns. */
export const growthThresholds = () => thresholds([null, 'red'], [0, 'green']);

/** A field override property (the SDK's DynamicConfigValue), e.g. prop('unit', 'percent'). */
export const prop = (id: string, value: unknown): dashboard.DynamicConfigValue => ({ id, value });

/** Table override: colour the cell text by the field's thresholds. */
export const colorText = (): dashboard.DynamicConfigValue =>
  prop('custom.cellOptions', { type: common.TableCellDisplayMode.ColorText });

/** Table override: colour the cell background by the field's mappings or thresholds. */
export const colorBackground = (): dashboard.DynamicConfigValue =>
  prop('custom.cellOptions', {
    type: common.TableCellDisplayMode.ColorBackground,
    mode: common.TableCellBackgroundDisplayMode.Basic,
  });

/** A value mapping: each text value shown as itself in a colour. */
export function colorByValue(colors: Record<string, string>): dashboard.ValueMapping {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  Object.entries(colors).forEach(([value, color], index) => {
    options[value] = { text: value, color, index };
  });
  return { type: dashboard.MappingType.ValueToText, options };
}
