-- 0014: CALL mv_ops.run_due(): what pg_cron (or an external tick) runs every minute.
-- Up Migration
CREATE OR REPLACE FUNCTION mv_ops.claim_due(target_pack text DEFAULT NULL)
RETURNS text[]
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  at timestamptz := mv_ops.now();
  names text[];
BEGIN
  -- Serialise overlapping ticks: the second one finds the schedule already evaluated.
  PERFORM pg_advisory_xact_lock(hashtext('mv_ops.claim_due'));
  SELECT COALESCE(array_agg(mv_ops.qualified_name(m) ORDER BY m.view_id), '{}') INTO names
  FROM mv_ops.view_state_at(at) s JOIN mv_ops.managed_view m USING (view_id)
  WHERE s.due AND (target_pack IS NULL OR m.pack = target_pack);
  UPDATE mv_ops.managed_view m SET last_schedule_check = at
  WHERE (target_pack IS NULL OR m.pack = target_pack) AND m.enabled
    AND (m.last_schedule_check IS NULL OR m.last_schedule_check < at);
  RETURN names;
END
$$;
COMMENT ON FUNCTION mv_ops.claim_due(text) IS 'Names of the views a scheduled run should refresh now, and advances their schedule check to now.';

CREATE OR REPLACE PROCEDURE mv_ops.run_due(pack text DEFAULT NULL, INOUT run_id bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
  due text[];
BEGIN
  -- SECURITY INVOKER for the same reason as mv_ops.refresh: it commits.
  PERFORM mv_ops.reap_abandoned();
  due := mv_ops.claim_due(pack);
  COMMIT;
  IF cardinality(due) = 0 THEN
    run_id := NULL;
    RETURN;
  END IF;
  CALL mv_ops.refresh(views => due, cascade => true, trigger => 'schedule', requested_by => 'scheduler', run_id => run_id);
END
$$;
COMMENT ON PROCEDURE mv_ops.run_due(text, bigint) IS
  'Refreshes the views that are due (sources changed at a schedule tick, full refresh scheduled, day turned, never populated) with their dependents. Returns the run id, or NULL when nothing was due.';
