-- 0050: mv_realtime_availability (seed MV 5) as a table-backed aggregate, plus the journal of days whose slots changed.
-- Up Migration
-- A materialized view cannot be partially refreshed (seed defect 2): this table can, day by day.
CREATE TABLE IF NOT EXISTS funeral_mv.realtime_availability (
  organization_id bigint NOT NULL,
  location_id bigint NOT NULL,
  service_id bigint NOT NULL,
  date date NOT NULL,
  available_slots bigint NOT NULL,
  earliest_available_time time,
  latest_available_time time,
  booked_slots bigint NOT NULL,
  total_slots bigint NOT NULL,
  PRIMARY KEY (organization_id, location_id, service_id, date)
);
CREATE INDEX IF NOT EXISTS idx_realtime_avail_date ON funeral_mv.realtime_availability (date);
CREATE INDEX IF NOT EXISTS idx_realtime_avail_location_date ON funeral_mv.realtime_availability (location_id, date);
COMMENT ON TABLE funeral_mv.realtime_availability IS
  'Seed MV 5 as a table: per organisation, location, service and date from the window start to 14 days later, the available / booked / total slots and the earliest and latest available times. Maintained by funeral.refresh_realtime_availability_incremental() and _full(); read through funeral.mv_realtime_availability.';
REVOKE ALL ON funeral_mv.realtime_availability FROM PUBLIC;

CREATE TABLE IF NOT EXISTS funeral_mv.realtime_availability_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  window_start date,
  window_end date,
  full_needed boolean NOT NULL DEFAULT true
);
INSERT INTO funeral_mv.realtime_availability_state DEFAULT VALUES ON CONFLICT DO NOTHING;
COMMENT ON TABLE funeral_mv.realtime_availability_state IS 'One row: the date window the aggregate holds, and whether only a full recompute can repair it (never computed, or availabilities truncated).';
REVOKE ALL ON funeral_mv.realtime_availability_state FROM PUBLIC;

CREATE TABLE IF NOT EXISTS funeral_mv.availability_dirty_day (
  date date PRIMARY KEY
);
COMMENT ON TABLE funeral_mv.availability_dirty_day IS 'Dates whose availabilities changed since the aggregate last recomputed them (written by statement triggers with transition tables).';
REVOKE ALL ON funeral_mv.availability_dirty_day FROM PUBLIC;

CREATE OR REPLACE FUNCTION funeral_mv.note_availability_days()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE funeral_mv.realtime_availability_state SET full_needed = true;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO funeral_mv.availability_dirty_day SELECT DISTINCT date FROM new_rows ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO funeral_mv.availability_dirty_day SELECT DISTINCT date FROM old_rows ON CONFLICT DO NOTHING;
  ELSE
    -- An update can move a slot from one day to another: both days change.
    INSERT INTO funeral_mv.availability_dirty_day
    SELECT date FROM new_rows UNION SELECT date FROM old_rows ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION funeral_mv.note_availability_days() IS 'Statement trigger on funeral.availabilities: journals the dates a statement touched (both sides of an update); TRUNCATE forces a full recompute.';
REVOKE ALL ON FUNCTION funeral_mv.note_availability_days() FROM PUBLIC;

-- Transition tables allow one event per trigger, hence four triggers.
CREATE OR REPLACE TRIGGER funeral_availability_days_ins AFTER INSERT ON funeral.availabilities
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funeral_mv.note_availability_days();
CREATE OR REPLACE TRIGGER funeral_availability_days_upd AFTER UPDATE ON funeral.availabilities
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION funeral_mv.note_availability_days();
CREATE OR REPLACE TRIGGER funeral_availability_days_del AFTER DELETE ON funeral.availabilities
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION funeral_mv.note_availability_days();
CREATE OR REPLACE TRIGGER funeral_availability_days_trunc AFTER TRUNCATE ON funeral.availabilities
  FOR EACH STATEMENT EXECUTE FUNCTION funeral_mv.note_availability_days();
COMMENT ON TRIGGER funeral_availability_days_ins ON funeral.availabilities IS 'Journals inserted slots'' dates for the incremental availability refresh.';
COMMENT ON TRIGGER funeral_availability_days_upd ON funeral.availabilities IS 'Journals updated slots'' old and new dates for the incremental availability refresh.';
COMMENT ON TRIGGER funeral_availability_days_del ON funeral.availabilities IS 'Journals deleted slots'' dates for the incremental availability refresh.';
COMMENT ON TRIGGER funeral_availability_days_trunc ON funeral.availabilities IS 'A truncate makes the availability aggregate need a full recompute.';
