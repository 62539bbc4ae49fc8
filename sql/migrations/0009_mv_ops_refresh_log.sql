-- 0009: the refresh log: one row per run, one row per view attempt within it.
-- Up Migration
CREATE TABLE IF NOT EXISTS mv_ops.refresh_run (
  run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'api')),
  requested_by text,
  requested text[] NOT NULL,
  cascade boolean NOT NULL,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
  created_at timestamptz NOT NULL DEFAULT mv_ops.clock(),
  finished_at timestamptz
);
COMMENT ON TABLE mv_ops.refresh_run IS 'One refresh request: what was asked, by whom, and how it ended (failed if any view failed).';

CREATE TABLE IF NOT EXISTS mv_ops.refresh_log (
  log_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES mv_ops.refresh_run ON DELETE CASCADE,
  view_id int REFERENCES mv_ops.managed_view ON DELETE SET NULL,
  view_name text NOT NULL,
  position int NOT NULL,
  trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'api', 'cascade')),
  requested_by text,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'skipped')),
  refreshed_concurrently boolean,
  started_at timestamptz,
  finished_at timestamptz,
  duration_ms numeric GENERATED ALWAYS AS (round(extract(epoch FROM finished_at - started_at)::numeric * 1000, 1)) STORED,
  rows_after bigint,
  sqlstate text,
  message text,
  snapshot_xmin xid8,
  backend_pid int,
  backend_start timestamptz,
  UNIQUE (run_id, position)
);
COMMENT ON TABLE mv_ops.refresh_log IS 'One row per view attempt. queued -> running -> succeeded | failed | skipped; a running row whose backend died is marked failed ("abandoned") by the next run.';
COMMENT ON COLUMN mv_ops.refresh_log.trigger IS 'schedule | manual | api for views asked for; cascade for dependents added by the engine.';
COMMENT ON COLUMN mv_ops.refresh_log.snapshot_xmin IS 'xmin of the snapshot the refresh read: source changes by transactions at or above it may be missing.';
COMMENT ON COLUMN mv_ops.refresh_log.backend_pid IS 'With backend_start, identifies the session running the attempt, to detect one that died.';
CREATE INDEX IF NOT EXISTS refresh_log_view_recent ON mv_ops.refresh_log (view_id, log_id DESC);
CREATE INDEX IF NOT EXISTS refresh_log_open ON mv_ops.refresh_log (status) WHERE status IN ('queued', 'running');
CREATE INDEX IF NOT EXISTS refresh_log_started ON mv_ops.refresh_log (started_at);

CREATE OR REPLACE VIEW mv_ops.refresh_history AS
SELECT l.log_id, l.run_id, l.view_name, mv.pack, l.trigger, l.requested_by, l.status, l.refreshed_concurrently,
       l.started_at, l.finished_at, l.duration_ms, l.rows_after, l.sqlstate, l.message
FROM mv_ops.refresh_log l
LEFT JOIN mv_ops.managed_view mv USING (view_id);
COMMENT ON VIEW mv_ops.refresh_history IS 'The refresh log as readers see it: no backend or snapshot internals.';
