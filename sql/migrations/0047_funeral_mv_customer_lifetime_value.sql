-- 0047: mv_customer_lifetime_value (seed MV 4): reservations and reviews aggregated per customer separately (no reservations x reviews fan-out).
-- Up Migration
CREATE MATERIALIZED VIEW IF NOT EXISTS funeral_mv.mv_customer_lifetime_value AS
SELECT u.id AS customer_id,
       u.full_name,
       u.email,
       COALESCE(r.total_reservations, 0) AS total_reservations,
       COALESCE(r.completed_reservations, 0) AS completed_reservations,
       COALESCE(r.total_spent, 0) AS total_spent,
       r.avg_order_value,
       r.first_reservation_date,
       r.last_reservation_date,
       COALESCE(r.organizations_used, 0) AS organizations_used,
       rv.avg_rating_given,
       COALESCE(rv.reviews_given, 0) AS reviews_given
FROM funeral.users u
LEFT JOIN (
  SELECT user_id,
         count(*) AS total_reservations,
         count(*) FILTER (WHERE status = 'completed') AS completed_reservations,
         sum(total_amount) FILTER (WHERE status IN ('confirmed', 'completed')) AS total_spent,
         round(avg(total_amount) FILTER (WHERE status IN ('confirmed', 'completed')), 2) AS avg_order_value,
         min(created_at) AS first_reservation_date,
         max(created_at) AS last_reservation_date,
         count(DISTINCT organization_id) AS organizations_used
  FROM funeral.reservations GROUP BY user_id
) r ON r.user_id = u.id
LEFT JOIN (
  SELECT user_id, round(avg(rating), 2) AS avg_rating_given, count(*) AS reviews_given
  FROM funeral.reviews GROUP BY user_id
) rv ON rv.user_id = u.id
WHERE u.role = 'customer';
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_customer_lv_customer_id ON funeral_mv.mv_customer_lifetime_value (customer_id);
CREATE INDEX IF NOT EXISTS idx_mv_customer_lv_total_spent ON funeral_mv.mv_customer_lifetime_value (total_spent DESC);
COMMENT ON MATERIALIZED VIEW funeral_mv.mv_customer_lifetime_value IS
  'Seed MV 4: one row per customer: reservations (count, completed, spent and average over confirmed + completed, first and last, organisations used) and reviews given. Read it through funeral.mv_customer_lifetime_value (super admins only).';

SELECT mv_ops.register_view('funeral_mv.mv_customer_lifetime_value', 'funeral', 'Customer lifetime value',
       schedule => '0 2 * * *', warn_after => '26 hours', error_after => '49 hours',
       date_relative => false, full_refresh_schedule => '0 3 * * 0');

CREATE OR REPLACE VIEW funeral.mv_customer_lifetime_value WITH (security_barrier) AS
SELECT d.* FROM funeral_mv.mv_customer_lifetime_value d
WHERE EXISTS (SELECT 1 FROM funeral_mv.caller c WHERE c.platform_role = 'super_admin');
COMMENT ON VIEW funeral.mv_customer_lifetime_value IS 'Seed access rule: super admins only (customers'' personal data across organisations).';
REVOKE ALL ON funeral_mv.mv_customer_lifetime_value, funeral.mv_customer_lifetime_value FROM PUBLIC;
-- Granted to identified tenants so the rule, not a permission error, decides: everyone but super admins reads zero rows.
GRANT SELECT ON funeral.mv_customer_lifetime_value TO funeral_authenticated, funeral_tenant;
