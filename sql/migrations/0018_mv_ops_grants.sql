-- 0018: privileges: nothing for PUBLIC; readers see status and history; operators may also run refreshes.
-- Up Migration
REVOKE ALL ON ALL TABLES IN SCHEMA mv_ops FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA mv_ops FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA mv_ops FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA mv_ops FROM mv_ops_reader, mv_ops_operator;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA mv_ops FROM mv_ops_reader, mv_ops_operator;

-- Readers: the schema, the status and history views, and what those views call as the caller.
GRANT USAGE ON SCHEMA mv_ops TO mv_ops_reader;
GRANT SELECT ON mv_ops.freshness, mv_ops.freshness_alert, mv_ops.refresh_history TO mv_ops_reader;
GRANT EXECUTE ON FUNCTION mv_ops.freshness_at(timestamptz), mv_ops.now(), mv_ops.clock_offset(), mv_ops.scheduler_status() TO mv_ops_reader;

-- Operators read what readers read, and may run refreshes: the two procedures and the steps they call.
GRANT mv_ops_reader TO mv_ops_operator;
GRANT EXECUTE ON PROCEDURE mv_ops.refresh(text[], text, boolean, text, text, bigint), mv_ops.run_due(text, bigint) TO mv_ops_operator;
GRANT EXECUTE ON FUNCTION mv_ops.reap_abandoned(), mv_ops.start_run(text[], text, boolean, text, text),
  mv_ops.claim_run(bigint), mv_ops.next_step(bigint), mv_ops.begin_step(bigint), mv_ops.refresh_step(bigint),
  mv_ops.finish_run(bigint), mv_ops.claim_due(text), mv_ops.cancel_overrunning() TO mv_ops_operator;
-- The run status the service polls: runs only, through a grant on the table (no internals worth hiding there).
GRANT SELECT (run_id, trigger, requested_by, requested, cascade, status, created_at, finished_at) ON mv_ops.refresh_run TO mv_ops_reader;
