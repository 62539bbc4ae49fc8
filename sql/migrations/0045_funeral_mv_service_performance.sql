-- 0045: mv_service_performance (seed MV 2): the 30-day window applied to the lines that feed every aggregate, ratings from reviews.
-- Up Migration
CREATE MATERIALIZED VIEW IF NOT EXISTS funeral_mv.mv_service_performance AS
WITH recent_line AS (
  -- Lines of reservations created in the last 30 days; older lines feed nothing (the seed filtered only the outer join).
  SELECT rs.service_id, rs.reservation_id, rs.unit_price, rs.total_price, r.status, r.user_id
  FROM funeral.reservation_services rs
  JOIN funeral.reservations r ON r.id = rs.reservation_id
  WHERE r.created_at >= CURRENT_DATE - interval '30 days'
), per_service AS (
  SELECT service_id,
         count(DISTINCT reservation_id) AS times_booked,
         count(DISTINCT reservation_id) FILTER (WHERE status = 'completed') AS completed,
         round(avg(unit_price), 2) AS avg_price,
         sum(total_price) AS revenue,
         count(DISTINCT user_id) AS customers
  FROM recent_line GROUP BY service_id
), per_service_rating AS (
  -- Each review once per service, however many lines of the reservation booked that service.
  SELECT b.service_id, round(avg(rev.rating), 2) AS avg_rating
  FROM (SELECT DISTINCT service_id, reservation_id FROM recent_line) b
  JOIN funeral.reviews rev ON rev.reservation_id = b.reservation_id
  GROUP BY b.service_id
)
SELECT s.id AS service_id,
       s.organization_id,
       s.name AS service_name,
       s.service_type,
       COALESCE(p.times_booked, 0) AS times_booked_last_30_days,
       COALESCE(p.completed, 0) AS completed_bookings,
       p.avg_price,
       COALESCE(p.revenue, 0) AS total_revenue_last_30_days,
       COALESCE(p.customers, 0) AS unique_customers,
       rt.avg_rating
FROM funeral.services s
LEFT JOIN per_service p ON p.service_id = s.id
LEFT JOIN per_service_rating rt ON rt.service_id = s.id;
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_service_perf_service_id ON funeral_mv.mv_service_performance (service_id);
CREATE INDEX IF NOT EXISTS idx_mv_service_perf_org_id ON funeral_mv.mv_service_performance (organization_id);
CREATE INDEX IF NOT EXISTS idx_mv_service_perf_popularity ON funeral_mv.mv_service_performance (times_booked_last_30_days DESC);
COMMENT ON MATERIALIZED VIEW funeral_mv.mv_service_performance IS
  'Seed MV 2: one row per service: its lines on reservations created in the last 30 days (bookings, completed, average unit price, revenue, customers) and the average rating of those reservations'' reviews. Read it through funeral.mv_service_performance.';

SELECT mv_ops.register_view('funeral_mv.mv_service_performance', 'funeral', 'Service popularity and performance (30 days)',
       schedule => '0 */6 * * *', warn_after => '7 hours', error_after => '13 hours',
       date_relative => true, full_refresh_schedule => '0 3 * * 0');

CREATE OR REPLACE VIEW funeral.mv_service_performance WITH (security_barrier) AS
SELECT d.* FROM funeral_mv.mv_service_performance d
WHERE d.organization_id IN (SELECT organization_id FROM funeral_mv.caller_org)
   OR EXISTS (SELECT 1 FROM funeral_mv.caller c WHERE c.platform_role = 'super_admin');
COMMENT ON VIEW funeral.mv_service_performance IS 'Seed access rule: staff see their own organisations'' services, super admins all.';
REVOKE ALL ON funeral_mv.mv_service_performance, funeral.mv_service_performance FROM PUBLIC;
-- Identified tenants read their rows; the view applies the rule.
GRANT SELECT ON funeral.mv_service_performance TO funeral_authenticated, funeral_tenant;
