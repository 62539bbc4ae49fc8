// Funeral pack benchmark scenarios: an organisation's dashboard, a public search by city, and a location's
// availability for the next 14 days, each from the stored views and live from the source tables.
// The view path reads funeral_mv directly: the benchmark connects as the owner, who has no platform identity,
// so the tenant views (funeral.*) would return nothing; their filter adds an index lookup on the identity.
import type { BenchScenario } from './types';

/** Organisation 7 and its first location (always active) exist at every scale >= 0.14. */
const ORG = 7;
const LOCATION = (ORG - 1) * 4 + 1;

export const funeralScenarios: BenchScenario[] = [
  {
    pack: 'funeral',
    name: 'organisation dashboard (one organisation, 90 days)',
    mvSql: `SELECT * FROM funeral_mv.mv_organization_dashboard WHERE organization_id = ${ORG}`,
    liveSql: `SELECT o.id, o.name, o.rating, count(r.id), count(r.id) FILTER (WHERE r.status = 'completed'),
       count(r.id) FILTER (WHERE r.status = 'confirmed'),
       COALESCE(sum(r.total_amount) FILTER (WHERE r.status IN ('confirmed', 'completed')), 0), count(DISTINCT r.user_id),
       round(avg(r.total_amount) FILTER (WHERE r.status IN ('confirmed', 'completed')), 2),
       (SELECT count(*) FROM funeral.services s WHERE s.organization_id = o.id AND s.is_available),
       (SELECT count(*) FROM funeral.locations l WHERE l.organization_id = o.id AND l.is_active)
     FROM funeral.organizations o
     LEFT JOIN funeral.reservations r ON r.organization_id = o.id AND r.created_at >= CURRENT_DATE - interval '90 days'
     WHERE o.id = ${ORG} AND o.status = 'active' GROUP BY o.id`,
  },
  {
    pack: 'funeral',
    name: 'search by city (Chicago)',
    mvSql: `SELECT organization_id, organization_name, rating, service_types_offered, starting_price, avg_review_score, total_reviews
     FROM funeral_mv.mv_search_index WHERE city = 'Chicago' ORDER BY rating DESC NULLS LAST`,
    liveSql: `SELECT o.id, o.name, o.rating,
       COALESCE((SELECT array_agg(DISTINCT s.service_type ORDER BY s.service_type) FROM funeral.services s WHERE s.organization_id = o.id AND s.is_available), '{}'),
       (SELECT min(p.base_price) FROM funeral.pricing_plans p WHERE p.organization_id = o.id AND p.is_active),
       v.avg, COALESCE(v.n, 0)
     FROM funeral.organizations o
     LEFT JOIN LATERAL (SELECT round(avg(rating), 2) AS avg, count(*) AS n FROM funeral.reviews r WHERE r.organization_id = o.id) v ON true
     WHERE o.address ->> 'city' = 'Chicago' AND o.status = 'active' AND o.verification_status = 'verified'
     ORDER BY o.rating DESC NULLS LAST`,
  },
  {
    pack: 'funeral',
    name: 'availability of one location, next 14 days',
    mvSql: `SELECT * FROM funeral_mv.realtime_availability
     WHERE location_id = ${LOCATION} AND date BETWEEN CURRENT_DATE AND CURRENT_DATE + 13 ORDER BY date, service_id`,
    liveSql: `SELECT organization_id, location_id, service_id, date, count(*) FILTER (WHERE is_available),
       min(start_time) FILTER (WHERE is_available), max(end_time) FILTER (WHERE is_available),
       count(*) FILTER (WHERE NOT is_available), count(*)
     FROM funeral.availabilities WHERE location_id = ${LOCATION} AND date BETWEEN CURRENT_DATE AND CURRENT_DATE + 13
     GROUP BY 1, 2, 3, 4 ORDER BY date, service_id`,
  },
];
