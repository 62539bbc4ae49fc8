-- 0052: funeral.mv_realtime_availability: the public read of the availability aggregate, and its first computation.
-- Up Migration
CREATE OR REPLACE VIEW funeral.mv_realtime_availability WITH (security_barrier) AS
SELECT a.organization_id, a.location_id, a.service_id, a.date, a.available_slots, a.earliest_available_time,
       a.latest_available_time, a.booked_slots, a.total_slots
FROM funeral_mv.realtime_availability a
-- Days that slipped out of the window before the next refresh are not shown.
WHERE a.date BETWEEN CURRENT_DATE AND CURRENT_DATE + 14
  AND a.organization_id IN (SELECT o.id FROM funeral.organizations o
                            WHERE o.status = 'active' AND o.verification_status = 'verified');
COMMENT ON VIEW funeral.mv_realtime_availability IS
  'Seed MV 5 as read by everyone: slots from today to 14 days ahead, only of active, verified organisations (the seed''s public rule).';
REVOKE ALL ON funeral.mv_realtime_availability FROM PUBLIC;
-- Public: the anonymous role and every identified tenant.
GRANT SELECT ON funeral.mv_realtime_availability TO funeral_anon, funeral_authenticated, funeral_tenant;

SELECT count(*) FROM funeral.refresh_realtime_availability(true, CURRENT_DATE, 'migration');
