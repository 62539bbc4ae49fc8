-- 0075: the availability aggregate's refresh as a routine mv_ops can call: failures raise (mv_ops logs them), attempts linked to mv_ops's log.
-- Up Migration
ALTER TABLE funeral_mv.aggregate_refresh_log ADD COLUMN IF NOT EXISTS mv_ops_log_id bigint;
COMMENT ON COLUMN funeral_mv.aggregate_refresh_log.mv_ops_log_id IS
  'The mv_ops.refresh_log attempt this recompute ran in (NULL for a direct call of funeral.refresh_realtime_availability): funeral.materialized_view_refresh_logs shows such a refresh once, from mv_ops, with this row''s full/incremental kind.';
CREATE INDEX IF NOT EXISTS aggregate_refresh_log_mv_ops ON funeral_mv.aggregate_refresh_log (mv_ops_log_id) WHERE mv_ops_log_id IS NOT NULL;
COMMENT ON TABLE funeral_mv.aggregate_refresh_log IS
  'One row per completed recompute of the table-backed availability aggregate (full or incremental, days recomputed), and per failed direct call; a failure inside an mv_ops refresh is logged by mv_ops instead. Shown in funeral.materialized_view_refresh_logs.';

CREATE OR REPLACE FUNCTION funeral_mv.recompute_realtime_availability(full_refresh boolean, as_of date, requested_by text, mv_ops_log_id bigint)
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
                                                status, started_at, finished_at, mv_ops_log_id)
  VALUES ('mv_realtime_availability', kind, COALESCE(requested_by, session_user::text), as_of, cardinality(days),
          n_deleted + n_inserted, 'completed', started, clock_timestamp(), mv_ops_log_id);
  RETURN QUERY SELECT kind, cardinality(days), n_deleted + n_inserted;
END
$$;
COMMENT ON FUNCTION funeral_mv.recompute_realtime_availability(boolean, date, text, bigint) IS
  'Recomputes the availability aggregate for the window as_of .. as_of + 14 days. Incremental: only today, tomorrow, days whose slots changed, and days that entered the window; full when asked, never computed, after TRUNCATE, or when the window moved past its end. Logs success in funeral_mv.aggregate_refresh_log; a failure raises (and rolls back), for the caller to record.';
REVOKE ALL ON FUNCTION funeral_mv.recompute_realtime_availability(boolean, date, text, bigint) FROM PUBLIC;
-- No grant: called by the definer functions below only.

CREATE OR REPLACE FUNCTION funeral.refresh_realtime_availability(full_refresh boolean, as_of date DEFAULT CURRENT_DATE, requested_by text DEFAULT NULL)
RETURNS TABLE (refresh_type text, days_recomputed int, rows_affected bigint)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  started timestamptz := clock_timestamp();
  outcome record;
BEGIN
  BEGIN
    SELECT * INTO outcome FROM funeral_mv.recompute_realtime_availability(full_refresh, as_of, requested_by, NULL);
  EXCEPTION WHEN OTHERS THEN
    -- The aggregate keeps its previous rows; the failure is recorded instead of vanishing with the rollback.
    INSERT INTO funeral_mv.aggregate_refresh_log (view_name, refresh_type, requested_by, as_of, status, error_message,
                                                  started_at, finished_at)
    VALUES ('mv_realtime_availability', CASE WHEN full_refresh THEN 'full' ELSE 'incremental' END,
            COALESCE(requested_by, session_user::text), as_of, 'failed', left(SQLSTATE || ': ' || SQLERRM, 2000),
            started, clock_timestamp());
    RETURN QUERY SELECT CASE WHEN full_refresh THEN 'full' ELSE 'incremental' END, 0, 0::bigint;
    RETURN;
  END;
  RETURN QUERY SELECT outcome.refresh_type, outcome.days_recomputed, outcome.rows_affected;
END
$$;
COMMENT ON FUNCTION funeral.refresh_realtime_availability(boolean, date, text) IS
  'Direct refresh of the availability aggregate (funeral_mv.recompute_realtime_availability), outside mv_ops: kept for callers of the original API. A failure is logged in funeral_mv.aggregate_refresh_log, not raised. mv_ops does not see these refreshes (its freshness and schedule count only its own), so prefer CALL funeral.refresh_materialized_view(''mv_realtime_availability'').';

CREATE OR REPLACE FUNCTION funeral_mv.refresh_realtime_availability_managed()
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  attempt bigint := NULLIF(pg_catalog.current_setting('mv_ops.refresh_log_id', true), '')::bigint;
  asked_by text;
BEGIN
  SELECT l.requested_by INTO asked_by FROM mv_ops.refresh_log l WHERE l.log_id = attempt;
  -- Errors propagate: mv_ops logs the attempt failed with its SQLSTATE and skips dependents.
  PERFORM * FROM funeral_mv.recompute_realtime_availability(
    COALESCE(pg_catalog.current_setting('mv_ops.refresh_mode', true), '') = 'full',
    CURRENT_DATE, COALESCE(asked_by, 'mv_ops'), attempt);
END
$$;
COMMENT ON FUNCTION funeral_mv.refresh_realtime_availability_managed() IS
  'The refresh routine registered in mv_ops for funeral_mv.realtime_availability: a full recompute when mv_ops.refresh_mode is full (a person asked, first refresh, weekly full_refresh_schedule), else incremental, as of today; linked to the mv_ops attempt through mv_ops.refresh_log_id.';
REVOKE ALL ON FUNCTION funeral_mv.refresh_realtime_availability_managed() FROM PUBLIC;
-- No grant: mv_ops.refresh_step calls it as the owner.

COMMENT ON FUNCTION funeral.refresh_realtime_availability_incremental() IS
  'The seed''s entry point, kept callable: an incremental refresh as of today outside mv_ops. Scheduling is mv_ops''s now (run_due refreshes funeral_mv.realtime_availability every 15 minutes when due).';
