-- 0099: how each view is refreshed and read, where people and alerts can see it: a keyed aggregate is refreshed
-- for the keys that changed (refresh_type incremental, key_count), and a zero-lag view's current day is read live.
-- Up Migration
ALTER TABLE mv_ops.managed_view ADD COLUMN IF NOT EXISTS keyed boolean NOT NULL DEFAULT false;
ALTER TABLE mv_ops.managed_view ADD COLUMN IF NOT EXISTS zero_lag boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN mv_ops.managed_view.keyed IS
  'Aggregates only: refreshed incrementally for the business dates that changed in its sources (mv_ops.changed_key), handed to its routine as mv_ops.refresh_keys; a full refresh when a person asks, on the full_refresh_schedule, on the first refresh and after a TRUNCATE of a source.';
COMMENT ON COLUMN mv_ops.managed_view.zero_lag IS
  'The pack''s report functions add the current day''s rows computed live from the source (zero-lag reads), so today''s figures read through them are never behind; earlier days are as fresh as the last refresh. Set by the pack (pos.set_zero_lag_reads for sales).';
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                 WHERE conrelid = 'mv_ops.managed_view'::regclass AND conname = 'keyed_is_aggregate') THEN
    ALTER TABLE mv_ops.managed_view ADD CONSTRAINT keyed_is_aggregate CHECK (NOT keyed OR kind = 'aggregate');
  END IF;
END
$$;
COMMENT ON CONSTRAINT keyed_is_aggregate ON mv_ops.managed_view IS
  'Only a table kept by a routine can be refreshed for a set of keys: REFRESH MATERIALIZED VIEW always recomputes everything.';

ALTER TABLE mv_ops.refresh_log ADD COLUMN IF NOT EXISTS refresh_type text;
ALTER TABLE mv_ops.refresh_log ADD COLUMN IF NOT EXISTS key_count int;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                 WHERE conrelid = 'mv_ops.refresh_log'::regclass AND conname = 'refresh_type_known') THEN
    ALTER TABLE mv_ops.refresh_log ADD CONSTRAINT refresh_type_known CHECK (refresh_type IN ('full', 'incremental'));
  END IF;
END
$$;
COMMENT ON CONSTRAINT refresh_type_known ON mv_ops.refresh_log IS 'A refresh recomputes everything (full) or only the changed keys (incremental).';
COMMENT ON COLUMN mv_ops.refresh_log.refresh_type IS
  'full (everything recomputed: every materialized view refresh, and an aggregate''s first, requested or scheduled full refresh) or incremental (a keyed aggregate recomputed for key_count changed keys); NULL until the attempt starts.';
COMMENT ON COLUMN mv_ops.refresh_log.key_count IS 'Incremental refreshes: how many changed keys (business dates) the routine was handed; 0 when nothing changed. NULL for a full refresh.';

CREATE OR REPLACE VIEW mv_ops.refresh_history AS
SELECT l.log_id, l.run_id, l.view_name, mv.pack, l.trigger, l.requested_by, l.status, l.refreshed_concurrently,
       l.started_at, l.finished_at, l.duration_ms, l.rows_after, l.sqlstate, l.message,
       l.refresh_type, l.key_count
FROM mv_ops.refresh_log l
LEFT JOIN mv_ops.managed_view mv USING (view_id);
COMMENT ON VIEW mv_ops.refresh_history IS
  'The refresh log as readers see it: no backend or snapshot internals; refresh_type full or incremental, with the number of keys an incremental one recomputed.';

CREATE OR REPLACE VIEW mv_ops.view_mode AS
-- format() rather than mv_ops.qualified_name: functions in a view run with the reader's EXECUTE rights.
SELECT format('%I.%I', m.schema_name, m.view_name) AS view_name,
       CASE WHEN m.keyed THEN 'incremental' ELSE 'full' END AS refresh_mode,
       m.zero_lag,
       last.refresh_type AS last_refresh_type,
       last.key_count AS last_key_count
FROM mv_ops.managed_view m
LEFT JOIN LATERAL (
  SELECT l.refresh_type, l.key_count FROM mv_ops.refresh_log l
  WHERE l.view_id = m.view_id AND l.status = 'succeeded' ORDER BY l.log_id DESC LIMIT 1
) last ON true;
COMMENT ON VIEW mv_ops.view_mode IS
  'How each managed view is kept and read: refresh_mode incremental (a keyed aggregate: changed keys only, full on request and schedule) or full; zero_lag when its pack''s report functions read the current day live; and what its last successful refresh was.';
REVOKE ALL ON mv_ops.view_mode FROM PUBLIC;
-- Status for every reader of mv_ops, like mv_ops.freshness, which shows it.
GRANT SELECT ON mv_ops.view_mode TO mv_ops_reader;

-- Same columns as before, then the modes: readers of SELECT * see them at the end.
CREATE OR REPLACE VIEW mv_ops.freshness AS
SELECT f.*, vm.refresh_mode, vm.zero_lag, vm.last_refresh_type, vm.last_key_count
FROM mv_ops.freshness_at(mv_ops.now()) f
LEFT JOIN mv_ops.view_mode vm USING (view_name);
COMMENT ON VIEW mv_ops.freshness IS
  'One row per managed view: state (fresh, warn, stale, failing, never_refreshed, paused), last success and attempt, lag behind its sources in seconds, through upstream managed views (0 when nothing changed since the last refresh), thresholds, durations, size and rows; then how it is kept and read (mv_ops.view_mode). Never waits for a view''s lock. With zero_lag, today''s figures read through the pack''s report functions are live whatever the state; the state and lag say how far behind the stored rows (and so earlier days) are.';

CREATE OR REPLACE VIEW mv_ops.freshness_alert AS
SELECT view_name AS view, pack,
       CASE state WHEN 'fresh' THEN 0 WHEN 'paused' THEN 0 WHEN 'warn' THEN 1
                  WHEN 'stale' THEN 2 WHEN 'never_refreshed' THEN 2 WHEN 'failing' THEN 3 END::float8 AS severity,
       refresh_mode,
       CASE WHEN zero_lag THEN 'zero_lag' ELSE 'stored' END AS read_mode
FROM mv_ops.freshness;
COMMENT ON VIEW mv_ops.freshness_alert IS
  'Grafana multi-dimensional alert shape: string labels (view, pack, refresh_mode full | incremental, read_mode zero_lag | stored) and one number, severity: 0 fresh or paused, 1 warn, 2 stale or never refreshed, 3 failing. Alert on severity >= 2; the state is deliberately not a label so an instance keeps its identity as it worsens.';
