-- 0051: refreshing the availability aggregate: full, and incremental (today, tomorrow, changed days, days entering the window), both logged.
-- Up Migration
CREATE TABLE IF NOT EXISTS funeral_mv.aggregate_refresh_log (
  log_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  view_name text NOT NULL,
  refresh_type text NOT NULL CHECK (refresh_type IN ('full', 'incremental')),
  requested_by text,
  as_of date NOT NULL,
  days_recomputed int,
  rows_affected bigint,
  status text NOT NULL CHECK (status IN ('completed', 'failed')),
  error_message text,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  duration_ms numeric GENERATED ALWAYS AS (round(extract(epoch FROM finished_at - started_at)::numeric * 1000, 1)) STORED
);
COMMENT ON TABLE funeral_mv.aggregate_refresh_log IS 'One row per refresh of the table-backed availability aggregate (mv_ops logs only materialized views); shown in funeral.materialized_view_refresh_logs.';
REVOKE ALL ON funeral_mv.aggregate_refresh_log FROM PUBLIC;

CREATE OR REPLACE FUNCTION funeral_mv.realtime_availability_of(days date[])
RETURNS SETOF funeral_mv.realtime_availability
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  -- Availabilities alone, no join: each slot is counted once (the seed's COUNT(DISTINCT) guarded nothing).
  SELECT a.organization_id, a.location_id, a.service_id, a.date,
         count(*) FILTER (WHERE a.is_available),
         min(a.start_time) FILTER (WHERE a.is_available),
         max(a.end_time) FILTER (WHERE a.is_available),
         count(*) FILTER (WHERE NOT a.is_available),
         count(*)
  FROM funeral.availabilities a
  WHERE a.date = ANY (days)
  GROUP BY a.organization_id, a.location_id, a.service_id, a.date
$$;
COMMENT ON FUNCTION funeral_mv.realtime_availability_of(date[]) IS 'The aggregate rows of the given dates, computed from funeral.availabilities: the one definition both refresh paths (and tests) use.';
REVOKE ALL ON FUNCTION funeral_mv.realtime_availability_of(date[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION funeral.refresh_realtime_availability(full_refresh boolean, as_of date DEFAULT CURRENT_DATE, requested_by text DEFAULT NULL)
RETURNS TABLE (refresh_type text, days_recomputed int, rows_affected bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  st funeral_mv.realtime_availability_state;
  started timestamptz := clock_timestamp();
  kind text;
  days date[];
  n_deleted bigint;
  n_inserted bigint;
BEGIN
  -- Two refreshes of the aggregate never interleave; the second waits for the first.
  PERFORM pg_advisory_xact_lock(hashtext('funeral.realtime_availability'));
  SELECT * INTO st FROM funeral_mv.realtime_availability_state FOR UPDATE;
  kind := CASE WHEN full_refresh OR st.full_needed OR st.window_start IS NULL OR as_of < st.window_start OR as_of > st.window_end
               THEN 'full' ELSE 'incremental' END;
  BEGIN
    -- Journal rows are claimed first: a change committed after this statement stays journalled for next time.
    WITH claimed AS (DELETE FROM funeral_mv.availability_dirty_day RETURNING date)
    SELECT array_agg(date) INTO days FROM claimed;
    IF kind = 'full' THEN
      days := ARRAY(SELECT d::date FROM generate_series(as_of, as_of + 14, interval '1 day') d);
    ELSE
      -- Today and tomorrow always (the seed's hot days), changed days in the window, and days newly in the window.
      days := ARRAY(SELECT DISTINCT d FROM unnest(COALESCE(days, '{}') || ARRAY[as_of, as_of + 1]
                     || ARRAY(SELECT g::date FROM generate_series(st.window_end + 1, as_of + 14, interval '1 day') g)) d
                    WHERE d BETWEEN as_of AND as_of + 14 ORDER BY d);
    END IF;
    DELETE FROM funeral_mv.realtime_availability
    WHERE date < as_of OR date > as_of + 14 OR date = ANY (days);
    GET DIAGNOSTICS n_deleted = ROW_COUNT;
    INSERT INTO funeral_mv.realtime_availability SELECT * FROM funeral_mv.realtime_availability_of(days);
    GET DIAGNOSTICS n_inserted = ROW_COUNT;
    UPDATE funeral_mv.realtime_availability_state SET window_start = as_of, window_end = as_of + 14, full_needed = false;
    INSERT INTO funeral_mv.aggregate_refresh_log (view_name, refresh_type, requested_by, as_of, days_recomputed, rows_affected,
                                                  status, started_at, finished_at)
    VALUES ('mv_realtime_availability', kind, COALESCE(requested_by, session_user::text), as_of, cardinality(days),
            n_deleted + n_inserted, 'completed', started, clock_timestamp());
    RETURN QUERY SELECT kind, cardinality(days), n_deleted + n_inserted;
  EXCEPTION WHEN OTHERS THEN
    -- The aggregate keeps its previous rows; the failure is recorded instead of vanishing with the rollback.
    INSERT INTO funeral_mv.aggregate_refresh_log (view_name, refresh_type, requested_by, as_of, status, error_message,
                                                  started_at, finished_at)
    VALUES ('mv_realtime_availability', kind, COALESCE(requested_by, session_user::text), as_of, 'failed',
            left(SQLSTATE || ': ' || SQLERRM, 2000), started, clock_timestamp());
    RETURN QUERY SELECT kind, 0, 0::bigint;
  END;
END
$$;
COMMENT ON FUNCTION funeral.refresh_realtime_availability(boolean, date, text) IS
  'Refreshes the availability aggregate for the window as_of .. as_of + 14 days. Incremental: recomputes only today, tomorrow, days whose slots changed, and days that entered the window; full when asked, never computed, after TRUNCATE, or when the window moved past its end. Logged in funeral_mv.aggregate_refresh_log.';

CREATE OR REPLACE FUNCTION funeral.refresh_realtime_availability_incremental()
RETURNS TABLE (refresh_type text, days_recomputed int, rows_affected bigint)
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT * FROM funeral.refresh_realtime_availability(false, CURRENT_DATE, 'scheduler') $$;
COMMENT ON FUNCTION funeral.refresh_realtime_availability_incremental() IS 'The seed''s entry point (pg_cron job funeral_refresh_realtime_availability, every 15 minutes): an incremental refresh as of today.';

REVOKE ALL ON FUNCTION funeral.refresh_realtime_availability(boolean, date, text), funeral.refresh_realtime_availability_incremental() FROM PUBLIC;
-- The refresh service (operator role) may refresh it, like any managed view.
GRANT EXECUTE ON FUNCTION funeral.refresh_realtime_availability(boolean, date, text), funeral.refresh_realtime_availability_incremental() TO mv_ops_operator;
