-- 0046: mv_location_availability (seed MV 3): slots and reservations aggregated per location separately, so neither weights the other.
-- Up Migration
CREATE MATERIALIZED VIEW IF NOT EXISTS funeral_mv.mv_location_availability AS
SELECT l.id AS location_id,
       l.organization_id,
       l.name AS location_name,
       l.location_type,
       l.address ->> 'city' AS city,
       l.address ->> 'state' AS state,
       COALESCE(a.upcoming_available_slots, 0) AS upcoming_available_slots,
       COALESCE(r.upcoming_reservations, 0) AS upcoming_reservations,
       COALESCE(r.past_month_reservations, 0) AS past_month_reservations,
       r.avg_booking_value,
       a.last_availability_update
FROM funeral.locations l
LEFT JOIN (
  SELECT location_id, count(*) AS upcoming_available_slots, max(date) AS last_availability_update
  FROM funeral.availabilities
  WHERE is_available AND date >= CURRENT_DATE
  GROUP BY location_id
) a ON a.location_id = l.id
LEFT JOIN (
  -- One row per reservation, so the average is per booking (the seed's join weighted it by the location's slot count).
  SELECT location_id,
         count(*) FILTER (WHERE scheduled_date >= CURRENT_DATE AND status IN ('confirmed', 'pending')) AS upcoming_reservations,
         count(*) FILTER (WHERE scheduled_date < CURRENT_DATE) AS past_month_reservations,
         round(avg(total_amount) FILTER (WHERE status = 'completed'), 2) AS avg_booking_value
  FROM funeral.reservations
  WHERE scheduled_date >= CURRENT_DATE - interval '30 days'
  GROUP BY location_id
) r ON r.location_id = l.id
WHERE l.is_active;
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_location_avail_location_id ON funeral_mv.mv_location_availability (location_id);
CREATE INDEX IF NOT EXISTS idx_mv_location_avail_city_state ON funeral_mv.mv_location_availability (city, state);
CREATE INDEX IF NOT EXISTS idx_mv_location_avail_upcoming ON funeral_mv.mv_location_availability (upcoming_available_slots DESC);
COMMENT ON MATERIALIZED VIEW funeral_mv.mv_location_availability IS
  'Seed MV 3: one row per active location: available slots from today on (and the last date with one), upcoming confirmed/pending reservations, reservations scheduled in the past 30 days, average value of completed bookings scheduled since 30 days ago. Read it through funeral.mv_location_availability.';

SELECT mv_ops.register_view('funeral_mv.mv_location_availability', 'funeral', 'Location availability and performance',
       schedule => '0 * * * *', warn_after => '90 minutes', error_after => '3 hours',
       date_relative => true, full_refresh_schedule => '0 3 * * 0');

CREATE OR REPLACE VIEW funeral.mv_location_availability WITH (security_barrier) AS
SELECT d.* FROM funeral_mv.mv_location_availability d
WHERE d.organization_id IN (SELECT organization_id FROM funeral_mv.caller_org)
   OR EXISTS (SELECT 1 FROM funeral_mv.caller c WHERE c.platform_role = 'super_admin');
COMMENT ON VIEW funeral.mv_location_availability IS 'Seed access rule: staff see their own organisations'' locations, super admins all.';
REVOKE ALL ON funeral_mv.mv_location_availability, funeral.mv_location_availability FROM PUBLIC;
-- Identified tenants read their rows; the view applies the rule.
GRANT SELECT ON funeral.mv_location_availability TO funeral_authenticated, funeral_tenant;
