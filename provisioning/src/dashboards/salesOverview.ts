// Sales overview: what venue staff and managers read. Every query reads the sales pack's views and report
// functions (never pos.lengolf_sales) and turns the dashboard's time range into the venue's local dates.
import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import { refreshAnnotations, refreshAnnotationSql } from '../annotations';
import { REFRESH_PANEL_ID, refreshPanelOptions } from '../app';
import {
  at,
  BAHT,
  baseDashboard,
  bottomLegend,
  colorText,
  fixedColor,
  growthThresholds,
  lastValue,
  paletteColors,
  prop,
  SALES_OVERVIEW,
  sharedTooltip,
  thresholdColors,
  thresholds,
} from '../common';
import { dataAsOfStat } from '../dataAsOf';
import { timeSeriesPanel } from '../timeSeriesPanel';
import { datasourceRef, SALES_DATASOURCE_UID } from '../datasources';
import { tableQuery } from '../query';

/** The pack whose views this dashboard reads (mv_ops registry name). */
const PACK = 'sales';

/**
 * The dashboard's range as the venue's local dates, in the time zone pos.setting names. The start date is the
 * local date of the range's start; the end date is the local date of the instant just before its end (to − 1 ms),
 * so a range ending at local midnight does not take in the day that starts there. Every day the range touches
 * is counted whole (the views hold days, not hours). `days` is the period's length, for the comparison period.
 */
export const VENUE_PERIOD = `period AS (
  SELECT d.zone, d.start_date, GREATEST(d.start_date, d.end_date) AS end_date,
         GREATEST(d.start_date, d.end_date) - d.start_date + 1 AS days
  FROM (
    SELECT s.value AS zone,
           ($__timeFrom()::timestamptz AT TIME ZONE s.value)::date AS start_date,
           (($__timeTo()::timestamptz - interval '1 millisecond') AT TIME ZONE s.value)::date AS end_date
    FROM pos.setting s
    WHERE s.name = 'time_zone'
  ) d
)`;

type Change = 'relative' | 'points';

/**
 * One KPI for the local dates of the range, and its change against the previous period of the same number of
 * days (the days just before): in % of the previous value, or in percentage points for a percentage.
 */
function kpiSql(key: string, label: string, change: Change): string {
  const delta =
    change === 'relative'
      ? 'round((k.current / NULLIF(k.previous, 0) - 1) * 100, 1)'
      : 'round(k.current - k.previous, 2)';
  return `WITH ${VENUE_PERIOD},
summary AS (
  SELECT pos.get_dashboard_summary_enhanced_mv(p.start_date, p.end_date, p.start_date - p.days, p.start_date - 1) AS s
  FROM period p
),
k AS (
  SELECT (s -> 'current_period' ->> '${key}')::numeric AS current,
         (s -> 'comparison_period' ->> '${key}')::numeric AS previous
  FROM summary
)
SELECT k.current AS "${label}", ${delta} AS "vs previous period"
FROM k`;
}

interface Kpi {
  key: string;
  title: string;
  unit: string;
  decimals: number;
  change: Change;
  description: string;
}

const KPIS = {
  revenueKpi: {
    key: 'total_revenue',
    title: 'Revenue',
    unit: BAHT,
    decimals: 0,
    change: 'relative',
    description: "Net sales (excluding VAT, voided lines left out) on the venue's local dates of the range",
  },
  grossProfitKpi: {
    key: 'gross_profit',
    title: 'Gross profit',
    unit: BAHT,
    decimals: 0,
    change: 'relative',
    description: 'Net sales minus cost of the items sold',
  },
  transactionsKpi: {
    key: 'transaction_count',
    title: 'Transactions',
    unit: 'short',
    decimals: 0,
    change: 'relative',
    description: 'Receipts (a receipt is one transaction, whatever its number of lines)',
  },
  uniqueCustomersKpi: {
    key: 'unique_customers',
    title: 'Unique customers',
    unit: 'short',
    decimals: 0,
    change: 'relative',
    description:
      'Identified customers (by phone number; walk-ins are not counted), each counted once over the whole range',
  },
  avgTransactionKpi: {
    key: 'avg_transaction_value',
    title: 'Average transaction',
    unit: BAHT,
    decimals: 0,
    change: 'relative',
    description: 'Revenue ÷ transactions',
  },
  grossMarginKpi: {
    key: 'gross_margin_pct',
    title: 'Gross margin',
    unit: 'percent',
    decimals: 1,
    change: 'points',
    description: 'Gross profit ÷ revenue; the change is in percentage points',
  },
  simUtilisationKpi: {
    key: 'sim_utilization_pct',
    title: 'SIM utilisation',
    unit: 'percent',
    decimals: 1,
    change: 'points',
    description:
      'Simulator bay-hours sold ÷ bay-hours the venue could sell on the days with sales (bays × operating hours that day); the change is in percentage points',
  },
  newCustomersKpi: {
    key: 'new_customers',
    title: 'New customers',
    unit: 'short',
    decimals: 0,
    change: 'relative',
    description: 'Customers whose first purchase ever was on a date in the range',
  },
} satisfies Record<string, Kpi>;

const kpiSqlByName = Object.fromEntries(
  Object.entries(KPIS).map(([name, k]) => [name, kpiSql(k.key, k.title, k.change)])
) as Record<keyof typeof KPIS, string>;

/** Every query of the dashboard, by panel (and annotation) name: what the tests run and check. */
export const salesOverviewSql = {
  ...kpiSqlByName,
  dataAsOf: `SELECT extract(epoch FROM min(f.last_success_at)) * 1000 AS "Data as of",
  max(f.lag_seconds) AS "Behind by",
  count(*) FILTER (WHERE f.state <> 'fresh') AS "Views not fresh"
FROM mv_ops.freshness f
WHERE f.pack = '${PACK}'`,
  revenueTrend: `WITH ${VENUE_PERIOD}
SELECT d.date::timestamp AT TIME ZONE p.zone AS time,
       d.total_revenue AS "Revenue",
       d.total_profit AS "Gross profit"
FROM period p
JOIN pos.mv_daily_sales_summary d ON d.date BETWEEN p.start_date AND p.end_date
ORDER BY 1`,
  customersTrend: `WITH ${VENUE_PERIOD}
SELECT c.date::timestamp AT TIME ZONE p.zone AS time,
       c.new_customers AS "New customers",
       c.returning_customers AS "Returning customers"
FROM period p
JOIN pos.mv_customer_analytics c ON c.date BETWEEN p.start_date AND p.end_date
ORDER BY 1`,
  simUtilisationTrend: `WITH ${VENUE_PERIOD}
SELECT d.date::timestamp AT TIME ZONE p.zone AS time,
       d.sim_utilization_pct AS "SIM utilisation"
FROM period p
JOIN pos.mv_daily_sales_summary d ON d.date BETWEEN p.start_date AND p.end_date
ORDER BY 1`,
  categories: `WITH ${VENUE_PERIOD}
SELECT pp.product_category AS "Category",
       sum(pp.total_revenue) AS "Revenue",
       sum(pp.total_profit) AS "Gross profit"
FROM period p
JOIN pos.mv_product_performance pp ON pp.date BETWEEN p.start_date AND p.end_date
GROUP BY pp.product_category
ORDER BY 2 DESC`,
  topProducts: `WITH ${VENUE_PERIOD}
SELECT pp.product_name AS "Product",
       pp.product_category AS "Category",
       sum(pp.total_revenue) AS "Revenue",
       sum(pp.total_profit) AS "Gross profit",
       round(sum(pp.total_profit) / NULLIF(sum(pp.total_revenue), 0) * 100, 1) AS "Margin %",
       sum(pp.total_quantity) AS "Quantity",
       sum(pp.unique_transactions) AS "Transactions"
FROM period p
JOIN pos.mv_product_performance pp ON pp.date BETWEEN p.start_date AND p.end_date
GROUP BY pp.product_name, pp.product_category
ORDER BY 3 DESC, 1
LIMIT 15`,
  weeklyReport: `WITH ${VENUE_PERIOD}
SELECT w.week AS "Week", w."weekRange" AS "Dates",
       w."totalRevenue" AS "Revenue", w."revenueGrowth" AS "Revenue growth",
       w."grossProfit" AS "Gross profit", w."profitGrowth" AS "Profit growth",
       w."transactionCount" AS "Transactions", w."uniqueCustomers" AS "Customers",
       w."customerGrowth" AS "Customer growth", w."newCustomers" AS "New customers",
       w."avgTransactionValue" AS "Average transaction", w."grossMarginPct" AS "Gross margin",
       w."simUtilizationPct" AS "SIM utilisation", w."customerRetentionRate" AS "Returning share",
       w."avgTransactionsPerDay" AS "Transactions a day"
FROM period p,
  json_to_recordset(pos.get_weekly_reports_mv(date_trunc('week', p.start_date)::date,
                                              date_trunc('week', p.end_date)::date + 6))
  AS w(week text, "weekRange" text, "totalRevenue" numeric, "revenueGrowth" numeric, "grossProfit" numeric,
       "profitGrowth" numeric, "transactionCount" numeric, "uniqueCustomers" numeric, "customerGrowth" numeric,
       "newCustomers" numeric, "avgTransactionValue" numeric, "grossMarginPct" numeric, "simUtilizationPct" numeric,
       "customerRetentionRate" numeric, "avgTransactionsPerDay" numeric)
ORDER BY w.week DESC`,
  monthlyReport: `WITH ${VENUE_PERIOD}
SELECT m."monthName" AS "Month",
       m."totalRevenue" AS "Revenue", m."revenueGrowth" AS "Revenue growth",
       m."grossProfit" AS "Gross profit", m."profitGrowth" AS "Profit growth",
       m."transactionCount" AS "Transactions", m."uniqueCustomers" AS "Customers",
       m."customerGrowth" AS "Customer growth", m."newCustomers" AS "New customers",
       m."avgTransactionValue" AS "Average transaction", m."grossMarginPct" AS "Gross margin",
       m."simUtilizationPct" AS "SIM utilisation", m."workingDays" AS "Days with sales",
       m."peakWeek" AS "Peak week", m."lowWeek" AS "Lowest week"
FROM period p,
  json_to_recordset(pos.get_monthly_reports_mv(date_trunc('month', p.start_date)::date,
                                               (date_trunc('month', p.end_date) + interval '1 month - 1 day')::date))
  AS m(month text, "monthName" text, "totalRevenue" numeric, "revenueGrowth" numeric, "grossProfit" numeric,
       "profitGrowth" numeric, "transactionCount" numeric, "uniqueCustomers" numeric, "customerGrowth" numeric,
       "newCustomers" numeric, "avgTransactionValue" numeric, "grossMarginPct" numeric, "simUtilizationPct" numeric,
       "workingDays" numeric, "peakWeek" text, "lowWeek" text)
ORDER BY m.month DESC`,
};

/** Refresh events of the sales pack, drawn on the trend panels. */
export const salesOverviewAnnotationSql = refreshAnnotationSql(PACK);

const ds = datasourceRef(SALES_DATASOURCE_UID);

function kpiPanel(id: number, name: keyof typeof KPIS, pos: dashboard.GridPos): stat.PanelBuilder {
  const k = KPIS[name];
  const changeUnit = k.change === 'relative' ? 'percent' : 'suffix: pp';
  return new stat.PanelBuilder()
    .id(id)
    .title(k.title)
    .description(
      `${k.description}, with its change against the previous period of as many days. From pos.get_dashboard_summary_enhanced_mv, which reads pos.mv_daily_sales_summary and pos.mv_customer_analytics.`
    )
    .datasource(ds)
    .withTarget(tableQuery(SALES_DATASOURCE_UID, salesOverviewSql[name]))
    .gridPos(pos)
    .reduceOptions(lastValue())
    .textMode(common.BigValueTextMode.ValueAndName)
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.None)
    .orientation(common.VizOrientation.Horizontal)
    .unit(k.unit)
    .decimals(k.decimals)
    .colorScheme(fixedColor('text'))
    .noValue('–')
    .overrideByName('vs previous period', [
      prop('unit', changeUnit),
      prop('decimals', 1),
      prop('color', { mode: dashboard.FieldColorModeId.Thresholds }),
      prop('thresholds', growthThresholds().build()),
    ]);
}

const trendPanel = (id: number, title: string, description: string, sql: string, gridPos: dashboard.GridPos) =>
  timeSeriesPanel({
    id,
    title,
    description,
    datasourceUid: SALES_DATASOURCE_UID,
    sql,
    gridPos,
    legend: bottomLegend(),
  });

function reportTable(id: number, title: string, description: string, sql: string, pos: dashboard.GridPos) {
  const growth = [prop('unit', 'percent'), prop('decimals', 1), prop('thresholds', growthThresholds().build())];
  return new table.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .datasource(ds)
    .withTarget(tableQuery(SALES_DATASOURCE_UID, sql))
    .gridPos(pos)
    .cellHeight(common.TableCellHeight.Sm)
    .noValue('–')
    .colorScheme(thresholdColors())
    .thresholds(thresholds([null, 'text']))
    .overrideByRegexp('^(Revenue|Gross profit|Average transaction)$', [prop('unit', BAHT), prop('decimals', 0)])
    .overrideByRegexp('^(Gross margin|SIM utilisation|Returning share)$', [
      prop('unit', 'percent'),
      prop('decimals', 1),
    ])
    .overrideByRegexp('growth$', [...growth, colorText()]);
}

export function salesOverviewDashboard(): dashboard.DashboardBuilder {
  const d = baseDashboard(SALES_OVERVIEW, [PACK])
    .description(
      "Venue sales for the picked range, read from the sales pack's materialized views: KPIs with the change against the previous period, daily trends, products, weekly and monthly reports. The range is read as the venue's local dates."
    )
    // Day boundaries in the time picker ("Today", "This month") at the venue's midnight; the SQL itself reads
    // the zone from pos.setting, so only the picker's rounding depends on this.
    .timezone('Asia/Bangkok')
    .time({ from: 'now-29d/d', to: 'now/d' })
    .refresh('5m')
    .annotations(refreshAnnotations(salesOverviewAnnotationSql, PACK));

  const kpiNames = Object.keys(KPIS) as Array<keyof typeof KPIS>;
  kpiNames.forEach((name, i) => d.withPanel(kpiPanel(i + 1, name, at((i % 4) * 5, Math.floor(i / 4) * 4, 5, 4))));

  d.withPanel(
    dataAsOfStat({
      id: 9,
      description:
        "Data as of: when the least recently refreshed sales view was last refreshed. Behind by: how long the oldest sale not yet in the views has waited (0 = every sale is in). Views not fresh: sales views past their warn threshold, failing or never refreshed. From mv_ops.freshness (pack 'sales').",
      datasourceUid: SALES_DATASOURCE_UID,
      sql: salesOverviewSql.dataAsOf,
      gridPos: at(20, 0, 4, 8),
      behindWarnSeconds: 1200,
      behindErrorSeconds: 3600,
    })
  );

  d.withPanel(
    trendPanel(
      11,
      'Revenue and gross profit per day',
      'Net sales and gross profit of each local date in the range. From pos.mv_daily_sales_summary. Markers: refreshes of the sales views someone asked for, and failed ones (mv_ops.refresh_history).',
      salesOverviewSql.revenueTrend,
      at(0, 8, 12, 9)
    )
      .unit(BAHT)
      .decimals(0)
      .drawStyle(common.GraphDrawStyle.Line)
      .lineWidth(2)
      .fillOpacity(10)
      .showPoints(common.VisibilityMode.Auto)
  );
  d.withPanel(
    trendPanel(
      12,
      'New and returning customers per day',
      'Identified customers each day: new = first purchase ever that day, returning = bought before. Walk-ins (no phone number) are not counted. From pos.mv_customer_analytics.',
      salesOverviewSql.customersTrend,
      at(12, 8, 12, 9)
    )
      .unit('short')
      .decimals(0)
      .drawStyle(common.GraphDrawStyle.Bars)
      .fillOpacity(80)
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
  );
  d.withPanel(
    trendPanel(
      13,
      'SIM utilisation per day',
      'Bay-hours sold ÷ bay-hours available that day (bays × operating hours in force on the date). From pos.mv_daily_sales_summary.',
      salesOverviewSql.simUtilisationTrend,
      at(0, 17, 12, 8)
    )
      .unit('percent')
      .decimals(1)
      .min(0)
      .drawStyle(common.GraphDrawStyle.Line)
      .lineWidth(2)
      .fillOpacity(15)
  );
  d.withPanel(
    new barchart.PanelBuilder()
      .id(14)
      .title('Product categories')
      .description(
        "Net sales and gross profit per product category over the local dates of the range; a missing category shows as '(none)'. From pos.mv_product_performance."
      )
      .datasource(ds)
      .withTarget(tableQuery(SALES_DATASOURCE_UID, salesOverviewSql.categories))
      .gridPos(at(12, 17, 12, 8))
      .xField('Category')
      .orientation(common.VizOrientation.Horizontal)
      .legend(bottomLegend())
      .tooltip(sharedTooltip())
      .colorScheme(paletteColors())
      .unit(BAHT)
      .decimals(0)
  );
  d.withPanel(
    new table.PanelBuilder()
      .id(15)
      .title('Top products')
      .description(
        'The 15 products with the most net sales over the local dates of the range, with gross profit, margin, quantity and receipts they were on. From pos.mv_product_performance.'
      )
      .datasource(ds)
      .withTarget(tableQuery(SALES_DATASOURCE_UID, salesOverviewSql.topProducts))
      .gridPos(at(0, 25, 24, 9))
      .cellHeight(common.TableCellHeight.Sm)
      .overrideByRegexp('^(Revenue|Gross profit)$', [prop('unit', BAHT), prop('decimals', 0)])
      .overrideByName('Margin %', [prop('unit', 'percent'), prop('decimals', 1)])
  );
  d.withPanel(
    reportTable(
      16,
      'Weekly report',
      'ISO weeks (Monday to Sunday) that the range touches, newest first; the current week is incomplete. Growth is against the calendar week before (empty when there is none), green up, red down. Customers are counted once per week. From pos.get_weekly_reports_mv (pos.mv_weekly_reports_cache).',
      salesOverviewSql.weeklyReport,
      at(0, 34, 24, 9)
    )
  );
  d.withPanel(
    reportTable(
      17,
      'Monthly report',
      'Calendar months that the range touches, newest first; the current month is incomplete. Growth is against the month before (empty when there is none), green up, red down. Peak and lowest week: the ISO weeks starting in the month with the most and least revenue. From pos.get_monthly_reports_mv (pos.mv_monthly_reports_cache).',
      salesOverviewSql.monthlyReport,
      at(0, 43, 24, 9)
    )
  );
  d.withPanel(
    new dashboard.PanelBuilder()
      .type(REFRESH_PANEL_ID)
      .id(10)
      .title('Refresh the sales data')
      .description(
        'How fresh each sales view is (mv_ops.freshness through the app), and for admins a button that refreshes the whole sales pack now, then reloads this dashboard. Viewers and editors see the state only.'
      )
      .gridPos(at(0, 52, 24, 7))
      .options(refreshPanelOptions({ target: 'pack', pack: PACK, buttonText: 'Refresh sales data' }))
  );
  return d;
}
