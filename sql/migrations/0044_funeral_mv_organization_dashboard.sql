-- 0044: mv_organization_dashboard (seed MV 1), per organisation, without the seed's reservations x services x locations fan-out.
-- Up Migration
-- Each child table is aggregated per organisation before the join, so no total is multiplied by another's row count.
CREATE MATERIALIZED VIEW IF NOT EXISTS funeral_mv.mv_organization_dashboard AS
SELECT o.id AS organization_id,
       o.name,
       o.rating,
       COALESCE(r.total_reservations, 0) AS total_reservations_last_90_days,
       COALESCE(r.completed_reservations, 0) AS completed_reservations_last_90_days,
       COALESCE(r.confirmed_reservations, 0) AS confirmed_reservations_last_90_days,
       COALESCE(r.total_revenue, 0) AS total_revenue_last_90_days,
       COALESCE(r.unique_customers, 0) AS unique_customers_last_90_days,
       r.avg_ticket_size,
       COALESCE(s.n, 0) AS total_services,
       COALESCE(l.n, 0) AS total_locations
FROM funeral.organizations o
LEFT JOIN (
  SELECT r.organization_id,
         count(*) AS total_reservations,
         count(*) FILTER (WHERE r.status = 'completed') AS completed_reservations,
         count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed_reservations,
         sum(r.total_amount) FILTER (WHERE r.status IN ('confirmed', 'completed')) AS total_revenue,
         count(DISTINCT r.user_id) AS unique_customers,
         round(avg(r.total_amount) FILTER (WHERE r.status IN ('confirmed', 'completed')), 2) AS avg_ticket_size
  FROM funeral.reservations r
  WHERE r.created_at >= CURRENT_DATE - interval '90 days'
  GROUP BY r.organization_id
) r ON r.organization_id = o.id
LEFT JOIN (SELECT organization_id, count(*) AS n FROM funeral.services WHERE is_available GROUP BY 1) s
  ON s.organization_id = o.id
LEFT JOIN (SELECT organization_id, count(*) AS n FROM funeral.locations WHERE is_active GROUP BY 1) l
  ON l.organization_id = o.id
WHERE o.status = 'active';
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_org_dashboard_org_id ON funeral_mv.mv_organization_dashboard (organization_id);
CREATE INDEX IF NOT EXISTS idx_mv_org_dashboard_revenue ON funeral_mv.mv_organization_dashboard (total_revenue_last_90_days DESC);
COMMENT ON MATERIALIZED VIEW funeral_mv.mv_organization_dashboard IS
  'Seed MV 1: one row per active organisation: reservations created in the last 90 days (counts, revenue and average ticket over confirmed + completed, distinct customers), available services, active locations. Read it through funeral.mv_organization_dashboard.';

SELECT mv_ops.register_view('funeral_mv.mv_organization_dashboard', 'funeral', 'Organisation dashboard (90-day KPIs per organisation)',
       schedule => '0 2 * * *', warn_after => '26 hours', error_after => '49 hours',
       date_relative => true, full_refresh_schedule => '0 3 * * 0');

CREATE OR REPLACE VIEW funeral.mv_organization_dashboard WITH (security_barrier) AS
SELECT d.* FROM funeral_mv.mv_organization_dashboard d
WHERE d.organization_id IN (SELECT organization_id FROM funeral_mv.caller_org)
   OR EXISTS (SELECT 1 FROM funeral_mv.caller c WHERE c.platform_role = 'super_admin');
COMMENT ON VIEW funeral.mv_organization_dashboard IS 'Seed access rule: staff see their own organisations, super admins all.';
REVOKE ALL ON funeral_mv.mv_organization_dashboard, funeral.mv_organization_dashboard FROM PUBLIC;
-- Identified tenants read their rows; the view applies the rule.
GRANT SELECT ON funeral.mv_organization_dashboard TO funeral_authenticated, funeral_tenant;
