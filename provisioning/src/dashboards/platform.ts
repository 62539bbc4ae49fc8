// Funeral platform: what super admins read, and, with the same file, a tenant organisation whose Grafana
// data source is that tenant's bound login (the database's rules then return only its rows; the panels on the
// views the seed makes public restrict themselves to the login's organisations, see visibleToCaller). Every query
// reads the funeral.* views, never funeral_mv or the source tables.
import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as geomap from '@grafana/grafana-foundation-sdk/geomap';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import {
  AMOUNT,
  at,
  baseDashboard,
  bottomLegend,
  fixedColor,
  lastValue,
  paletteColors,
  PLATFORM,
  prop,
  sharedTooltip,
} from '../common';
import { dataAsOfStat } from '../dataAsOf';
import { datasourceRef, PLATFORM_DATASOURCE_UID } from '../datasources';
import { tableQuery } from '../query';

/** The organisation picker's value when "All" is picked: a string literal the filter below recognises. */
export const ALL_ORGANISATIONS = "'all'";

/** Rows of the picked organisations (all of them, as far as the login may see, for "All"). */
const inOrganisations = (alias: string) =>
  `(${ALL_ORGANISATIONS} IN ($organization) OR ${alias}.organization_id::text IN ($organization))`;

/**
 * Rows a tenant's login may be shown from a view the seed makes public (the search index, availability): every
 * active, verified organisation is readable there, but a tenant's Grafana organisation shows only its own
 * organisations, as the ruled views do. A super admin (funeral.current_identity) is shown every organisation.
 */
export const visibleToCaller = (alias: string) =>
  `(${alias}.organization_id IN (SELECT m.organization_id FROM funeral.my_organizations m)
    OR EXISTS (SELECT 1 FROM funeral.current_identity i WHERE i.platform_role = 'super_admin'))`;

/**
 * The funeral pack's days are UTC's (its views are refreshed on UTC dates), so the range is read as UTC dates
 * with the sales dashboard's rule: the end date is the date of the instant just before the range's end.
 */
const UTC_RANGE = `r AS (
  SELECT ($__timeFrom()::timestamptz AT TIME ZONE 'UTC')::date AS first_day,
         (($__timeTo()::timestamptz - interval '1 millisecond') AT TIME ZONE 'UTC')::date AS last_day
)`;

/** Every query of the dashboard by name (the variable's too): what the tests run and check. */
export const platformSql = {
  organizationVariable: `SELECT o.organization_id AS __value, o.name AS __text
FROM funeral.mv_organization_dashboard o
ORDER BY o.name`,
  reservationsKpi: `SELECT sum(o.total_reservations_last_90_days) AS "Reservations",
  sum(o.completed_reservations_last_90_days) AS "Completed"
FROM funeral.mv_organization_dashboard o
WHERE ${inOrganisations('o')}`,
  revenueKpi: `SELECT sum(o.total_revenue_last_90_days) AS "Revenue"
FROM funeral.mv_organization_dashboard o
WHERE ${inOrganisations('o')}`,
  customersKpi: `SELECT sum(o.unique_customers_last_90_days) AS "Customers"
FROM funeral.mv_organization_dashboard o
WHERE ${inOrganisations('o')}`,
  ticketSizeKpi: `SELECT round(sum(o.total_revenue_last_90_days)
         / NULLIF(sum(o.completed_reservations_last_90_days + o.confirmed_reservations_last_90_days), 0), 2) AS "Average ticket"
FROM funeral.mv_organization_dashboard o
WHERE ${inOrganisations('o')}`,
  organizations: `SELECT o.name AS "Organisation", o.rating AS "Rating",
  o.total_reservations_last_90_days AS "Reservations",
  o.completed_reservations_last_90_days AS "Completed",
  o.confirmed_reservations_last_90_days AS "Confirmed",
  o.total_revenue_last_90_days AS "Revenue",
  o.unique_customers_last_90_days AS "Customers",
  o.avg_ticket_size AS "Average ticket",
  o.total_services AS "Services", o.total_locations AS "Locations"
FROM funeral.mv_organization_dashboard o
WHERE ${inOrganisations('o')}
ORDER BY o.total_revenue_last_90_days DESC, o.name`,
  servicePerformance: `SELECT s.service_name AS "Service", s.service_type AS "Type",
  COALESCE(o.name, '#' || s.organization_id) AS "Organisation",
  s.times_booked_last_30_days AS "Bookings", s.completed_bookings AS "Completed",
  s.total_revenue_last_30_days AS "Revenue", s.avg_price AS "Average price",
  s.unique_customers AS "Customers", s.avg_rating AS "Rating"
FROM funeral.mv_service_performance s
LEFT JOIN funeral.mv_organization_dashboard o ON o.organization_id = s.organization_id
WHERE ${inOrganisations('s')}
ORDER BY s.times_booked_last_30_days DESC, s.total_revenue_last_30_days DESC, s.service_name
LIMIT 50`,
  locationAvailability: `SELECT l.location_name AS "Location", l.location_type AS "Type", l.city AS "City", l.state AS "State",
  l.upcoming_available_slots AS "Open slots", l.upcoming_reservations AS "Upcoming reservations",
  l.past_month_reservations AS "Past 30 days", l.avg_booking_value AS "Average booking",
  l.last_availability_update AS "Slots until"
FROM funeral.mv_location_availability l
WHERE ${inOrganisations('l')}
ORDER BY l.upcoming_available_slots DESC, l.location_name`,
  nextSlots: `WITH d AS (SELECT ($__timeTo()::timestamptz AT TIME ZONE 'UTC')::date AS first_day)
SELECT to_char(a.date, 'Dy DD Mon') AS "Day",
  sum(a.available_slots) AS "Available",
  sum(a.booked_slots) AS "Booked"
FROM d
JOIN funeral.mv_realtime_availability a ON a.date >= d.first_day AND a.date < d.first_day + 14
WHERE ${inOrganisations('a')}
  AND ${visibleToCaller('a')}
GROUP BY a.date
ORDER BY a.date`,
  monthlyFinancials: `WITH ${UTC_RANGE}
SELECT to_char(f.month, 'YYYY-MM') AS "Month",
  sum(f.successful_amount) AS "Completed",
  sum(f.refunded_amount) AS "Refunded",
  sum(f.total_processed_amount - f.successful_amount - f.refunded_amount) AS "Other (pending, failed)"
FROM r
JOIN funeral.mv_financial_summary f ON f.month BETWEEN date_trunc('month', r.first_day)::date AND r.last_day
WHERE ${inOrganisations('f')}
GROUP BY f.month
ORDER BY f.month`,
  financialSummary: `WITH ${UTC_RANGE}
SELECT to_char(f.month, 'YYYY-MM') AS "Month", f.organization_name AS "Organisation",
  f.total_transactions AS "Payments", f.total_processed_amount AS "Processed",
  f.successful_amount AS "Completed", f.refunded_amount AS "Refunded",
  f.failed_transactions AS "Failed payments", f.avg_transaction_value AS "Average payment",
  f.reservations_associated AS "Reservations"
FROM r
JOIN funeral.mv_financial_summary f ON f.month BETWEEN date_trunc('month', r.first_day)::date AND r.last_day
WHERE ${inOrganisations('f')}
ORDER BY f.month DESC, f.total_processed_amount DESC`,
  dataAsOf: `SELECT extract(epoch FROM min(f.last_success_at)) * 1000 AS "Data as of",
  max(f.lag_seconds) AS "Behind by",
  count(*) FILTER (WHERE f.state <> 'fresh') AS "Views not fresh"
FROM funeral.view_freshness f`,
  customerLifetimeValue: `SELECT c.full_name AS "Customer", c.total_reservations AS "Reservations",
  c.completed_reservations AS "Completed", c.total_spent AS "Spent", c.avg_order_value AS "Average order",
  c.organizations_used AS "Organisations", c.first_reservation_date AS "First reservation",
  c.last_reservation_date AS "Last reservation", c.avg_rating_given AS "Average rating given",
  c.reviews_given AS "Reviews"
FROM funeral.mv_customer_lifetime_value c
ORDER BY c.total_spent DESC, c.customer_id
LIMIT 25`,
  searchIndexMap: `SELECT s.organization_name AS "Organisation", s.city AS "City", s.state AS "State",
  s.rating AS "Rating", s.avg_review_score AS "Review score", s.total_reviews AS "Reviews",
  s.starting_price AS "From", s.total_services AS "Services", s.total_locations AS "Locations",
  public.ST_Y(s.coordinates) AS latitude, public.ST_X(s.coordinates) AS longitude
FROM funeral.mv_search_index s
WHERE s.coordinates IS NOT NULL AND ${inOrganisations('s')}
  AND ${visibleToCaller('s')}
ORDER BY s.organization_name`,
};

const ds = datasourceRef(PLATFORM_DATASOURCE_UID);
const query = (sql: string) => tableQuery(PLATFORM_DATASOURCE_UID, sql);

function kpi(id: number, title: string, description: string, sql: string, unit: string, x: number) {
  // Four KPIs of width 5 and the data-as-of stat fill the top row.
  return new stat.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .datasource(ds)
    .withTarget(query(sql))
    .gridPos(at(x, 0, 5, 4))
    .reduceOptions(lastValue())
    .textMode(common.BigValueTextMode.Auto)
    .colorMode(common.BigValueColorMode.Value)
    .graphMode(common.BigValueGraphMode.None)
    .colorScheme(fixedColor('text'))
    .unit(unit)
    .noValue('–');
}

function grid(id: number, title: string, description: string, sql: string, pos: dashboard.GridPos) {
  return new table.PanelBuilder()
    .id(id)
    .title(title)
    .description(description)
    .datasource(ds)
    .withTarget(query(sql))
    .gridPos(pos)
    .cellHeight(common.TableCellHeight.Sm)
    .noValue('–');
}

const organizationVariable = () =>
  new dashboard.QueryVariableBuilder('organization')
    .label('Organisation')
    .description('Organisations to show; the list holds only what the data source login may see.')
    .datasource(ds)
    .query(platformSql.organizationVariable)
    .definition(platformSql.organizationVariable)
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.Disabled)
    .multi(true)
    .includeAll(true)
    .allValue(ALL_ORGANISATIONS)
    .current({ text: 'All', value: '$__all', selected: true });

export function platformDashboard(): dashboard.DashboardBuilder {
  const d = baseDashboard(PLATFORM, ['funeral'])
    .description(
      "The funeral platform's organisations, services, locations, slots, payments and search index, from the platform pack's materialized views. Each data source login sees only what the database's tenant rules allow: a super admin every organisation, a tenant's login its own."
    )
    .timezone('utc')
    .time({ from: 'now/y', to: 'now' })
    .refresh('15m')
    .withVariable(organizationVariable());

  const window90 =
    'Over reservations created in the 90 days before the last refresh of funeral.mv_organization_dashboard (refreshed daily).';
  d.withPanel(
    kpi(
      1,
      'Reservations (90 days)',
      `Reservations of the picked organisations, and how many are completed. ${window90}`,
      platformSql.reservationsKpi,
      'short',
      0
    )
  );
  d.withPanel(
    kpi(
      2,
      'Revenue (90 days)',
      `Amount of confirmed and completed reservations. ${window90}`,
      platformSql.revenueKpi,
      AMOUNT,
      6
    )
  );
  d.withPanel(
    kpi(
      3,
      'Customers (90 days)',
      `Distinct customers per organisation, added up: a customer of two organisations counts twice. ${window90}`,
      platformSql.customersKpi,
      'short',
      12
    )
  );
  d.withPanel(
    kpi(
      4,
      'Average ticket (90 days)',
      `Revenue ÷ confirmed and completed reservations. ${window90}`,
      platformSql.ticketSizeKpi,
      AMOUNT,
      18
    )
  );
  d.withPanel(
    grid(
      5,
      'Organisations',
      `Active organisations: reservations, revenue, customers and average ticket; available services and active locations. ${window90}`,
      platformSql.organizations,
      at(0, 4, 24, 9)
    ).overrideByRegexp('^(Revenue|Average ticket)$', [prop('unit', AMOUNT)])
  );
  d.withPanel(
    grid(
      6,
      'Service performance (30 days)',
      'The 50 most booked services: bookings, completed, revenue and average unit price on reservations created in the 30 days before the last refresh, with the average rating of those reservations. From funeral.mv_service_performance (refreshed every 6 hours).',
      platformSql.servicePerformance,
      at(0, 13, 12, 10)
    ).overrideByRegexp('^(Revenue|Average price)$', [prop('unit', AMOUNT)])
  );
  d.withPanel(
    new geomap.PanelBuilder()
      .id(7)
      .title('Search index')
      .description(
        "Active, verified organisations where the public search finds them (their PostGIS point as latitude/longitude), sized by number of reviews. A tenant's data source login is shown its own organisations only, a super admin's every one. From funeral.mv_search_index (refreshed hourly)."
      )
      .datasource(ds)
      .withTarget(query(platformSql.searchIndexMap))
      .gridPos(at(12, 13, 12, 10))
      .view(new geomap.MapViewConfigBuilder().id('fit').lat(0).lon(0).zoom(1).allLayers(true))
      .controls(new geomap.ControlsOptionsBuilder().showZoom(true).mouseWheelZoom(false).showAttribution(true))
      .basemap(new common.MapLayerOptionsBuilder().type('default').name('Basemap'))
      .layers([
        new common.MapLayerOptionsBuilder()
          .type('markers')
          .name('Organisations')
          .location(
            new common.FrameGeometrySourceBuilder()
              .mode(common.FrameGeometrySourceMode.Coords)
              .latitude('latitude')
              .longitude('longitude')
          )
          .config({
            showLegend: false,
            style: {
              color: { fixed: 'dark-green' },
              opacity: 0.6,
              size: { field: 'Reviews', fixed: 6, min: 4, max: 16 },
              symbol: { fixed: 'img/icons/marker/circle.svg', mode: 'fixed' },
            },
          })
          .tooltip(true),
      ])
      .tooltip(new geomap.TooltipOptionsBuilder().mode(geomap.TooltipMode.Details))
  );
  d.withPanel(
    new barchart.PanelBuilder()
      .id(8)
      .title('Slots in the next 14 days')
      .description(
        "Available and booked slots per day for the 14 days from the dashboard's end date (UTC), of the picked organisations' locations (a tenant's data source login: its own organisations only); the view holds days from its last refresh on. From funeral.mv_realtime_availability (refreshed every 15 minutes)."
      )
      .datasource(ds)
      .withTarget(query(platformSql.nextSlots))
      .gridPos(at(0, 23, 12, 9))
      .xField('Day')
      .stacking(common.StackingMode.Normal)
      .legend(bottomLegend())
      .tooltip(sharedTooltip())
      .colorScheme(paletteColors())
      .unit('short')
  );
  d.withPanel(
    grid(
      9,
      'Location availability',
      'Active locations: open slots from the last refresh on (and the last date with one), upcoming confirmed or pending reservations, reservations in the past 30 days, average value of completed bookings. From funeral.mv_location_availability (refreshed hourly).',
      platformSql.locationAvailability,
      at(12, 23, 12, 9)
    ).overrideByName('Average booking', [prop('unit', AMOUNT)])
  );
  d.withPanel(
    new barchart.PanelBuilder()
      .id(10)
      .title('Payments per month')
      .description(
        'Payment amounts per month of the range (UTC months), completed, refunded and the rest (pending or failed). The view holds payments created since 1 January. From funeral.mv_financial_summary (refreshed daily).'
      )
      .datasource(ds)
      .withTarget(query(platformSql.monthlyFinancials))
      .gridPos(at(0, 32, 12, 9))
      .xField('Month')
      .stacking(common.StackingMode.Normal)
      .legend(bottomLegend())
      .tooltip(sharedTooltip())
      .colorScheme(paletteColors())
      .unit(AMOUNT)
  );
  d.withPanel(
    grid(
      11,
      'Financial summary',
      "Per month and organisation: payments, amounts processed, completed and refunded, failed payments, average payment, reservations paid. Shown to an organisation's admins and managers and to super admins. From funeral.mv_financial_summary (refreshed daily).",
      platformSql.financialSummary,
      at(12, 32, 12, 9)
    ).overrideByRegexp('^(Processed|Completed|Refunded|Average payment)$', [prop('unit', AMOUNT)])
  );
  d.withPanel(
    dataAsOfStat({
      id: 12,
      description:
        'Data as of: when the least recently refreshed platform view was last refreshed. Behind by: how long the oldest change not yet in the views has waited (0 = all in). Views not fresh: platform views past their warn threshold, failing or never refreshed. From funeral.view_freshness.',
      datasourceUid: PLATFORM_DATASOURCE_UID,
      sql: platformSql.dataAsOf,
      gridPos: at(20, 0, 4, 4),
      behindWarnSeconds: 5400,
      behindErrorSeconds: 10800,
    })
  );
  d.withPanel(
    grid(
      13,
      'Top customers by lifetime value (super admins)',
      "The 25 customers who spent most (confirmed and completed reservations, all time, every organisation: the organisation picker does not apply), with their reservations, organisations used and reviews. The seed's rule shows these rows to super admins only; a tenant's login sees none. From funeral.mv_customer_lifetime_value (refreshed daily).",
      platformSql.customerLifetimeValue,
      at(0, 41, 24, 9)
    ).overrideByRegexp('^(Spent|Average order)$', [prop('unit', AMOUNT)])
  );
  return d;
}
