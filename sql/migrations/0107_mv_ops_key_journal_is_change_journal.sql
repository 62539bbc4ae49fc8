-- 0107: on a key-tracked table the key journal is also its change journal: one statement trigger and one journal
-- row per write instead of two (the POS write path paid for both on every receipt).
-- Up Migration

-- The refresh scheduler learns from a journal row when the table changed, as it does from mv_ops.source_change.
ALTER TABLE mv_ops.changed_key ADD COLUMN IF NOT EXISTS changed_at timestamptz NOT NULL
  -- mv_ops.now() computed inline: a default is evaluated on every journal row, i.e. on every POS write.
  DEFAULT (pg_catalog.now() + COALESCE(NULLIF(pg_catalog.current_setting('mv_ops.clock_offset', true), '')::interval, interval '0'));
COMMENT ON COLUMN mv_ops.changed_key.changed_at IS
  'When the writing transaction began, on the engine clock (now() plus mv_ops.clock_offset), as the change journal stamps it: what the scheduler''s lag and "sources changed" read for a key-tracked table (mv_ops.view_state_at).';
COMMENT ON COLUMN mv_ops.changed_key.xid IS
  'Writing transaction: compared with a refresh''s snapshots (mv_ops.key_progress). No unique key covers it, so concurrent writers of one date never wait on each other.';
COMMENT ON COLUMN mv_ops.changed_key.source IS
  'The key-tracked table, schema-qualified, as it was called when the row was written (as in managed_view.declared_sources).';
COMMENT ON TABLE mv_ops.changed_key IS
  'Insert-only journal of changed keys: a row per (key-tracked table, business date, writing statement), written by the mv_ops_track_keys_* statement triggers. It is also the change journal of a key-tracked table (which has no mv_ops_track_changes trigger): mv_ops.view_state_at reads it as it reads mv_ops.source_change. A keyed aggregate''s refresh takes the keys of its sources whose transaction its snapshot sees and its previous refresh did not (mv_ops.key_progress); rows that every keyed consumer has consumed and every reader''s last refresh has seen are pruned. The key -infinity means every key (a TRUNCATE, or a change to a table tracked without a key column).';

-- A plain index instead of the primary key: an INSERT ... ON CONFLICT checks the index twice, and a POS write
-- pays that on every receipt. A transaction that writes a date in several statements leaves a row for each;
-- every reader takes the distinct keys.
ALTER TABLE mv_ops.changed_key DROP CONSTRAINT IF EXISTS changed_key_pkey;
CREATE INDEX IF NOT EXISTS changed_key_source_xid ON mv_ops.changed_key (source, xid);
COMMENT ON INDEX mv_ops.changed_key_source_xid IS
  'The journal read by source: a refresh''s keys and the scheduler''s first change since a snapshot (xid).';

-- Key triggers are change tracking: the generic trigger on such a table would journal every write a second time.
CREATE OR REPLACE FUNCTION mv_ops.install_tracking(tbl regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF mv_ops.key_tracked(tbl::text) THEN
    EXECUTE format('DROP TRIGGER IF EXISTS mv_ops_track_changes ON %s', tbl);
  ELSE
    EXECUTE format('CREATE OR REPLACE TRIGGER mv_ops_track_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION mv_ops.note_source_change()', tbl);
  END IF;
END
$$;
COMMENT ON FUNCTION mv_ops.install_tracking(regclass) IS
  'Puts change tracking on one table: the change-journal statement trigger (mv_ops_track_changes), unless the table is key-tracked (mv_ops.track_keys), whose key journal is its change journal; then a leftover mv_ops_track_changes is dropped.';

CREATE OR REPLACE FUNCTION mv_ops.heal_tracking()
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
-- A table busy with a long write must not hold up the tick: it is tried again at the next one.
SET lock_timeout = '2s'
AS $$
DECLARE
  t record;
  n int := 0;
BEGIN
  FOR t IN
    SELECT DISTINCT tt.tbl, tt.journal_oid, mv_ops.key_tracked(tt.tbl::text) AS keyed,
           EXISTS (SELECT 1 FROM pg_catalog.pg_trigger g
                   WHERE g.tgrelid = tt.tbl AND g.tgname = 'mv_ops_track_changes' AND NOT g.tgisinternal) AS generic
    FROM mv_ops.tracked_table tt
  LOOP
    CONTINUE WHEN t.keyed <> t.generic;
    BEGIN
      PERFORM mv_ops.install_tracking(t.tbl);
      -- Untracked until now: what it went through is unknown, so its views are refreshed once as if it had
      -- changed. (Key-tracked with the generic trigger left over: nothing was missed, it only goes.)
      IF NOT t.keyed THEN
        INSERT INTO mv_ops.source_change (source_oid, xid, changed_at)
        VALUES (t.journal_oid, pg_catalog.pg_current_xact_id(), mv_ops.now())
        ON CONFLICT DO NOTHING;
        n := n + 1;
      END IF;
    EXCEPTION WHEN OTHERS THEN
      -- Busy (lock_timeout) or not ours to alter: the tick goes on, and the next one tries again.
      RAISE WARNING 'mv_ops: change tracking for % not put right (%); trying again at the next tick', t.tbl, SQLERRM;
    END;
  END LOOP;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.heal_tracking() IS
  'Installs change tracking on base tables of managed views that lack it (created again after a drop, partitions added later, key triggers dropped) and journals a change for each, since what happened while untracked is unknown; drops the generic trigger from tables that became key-tracked. Called by every scheduled tick; returns how many tables it found untracked.';

-- As in 0013, with a key-tracked table's changes read from its key journal as well, and a keyed aggregate's changes
-- judged by its key progress.
CREATE OR REPLACE FUNCTION mv_ops.view_state_at(at timestamptz)
RETURNS TABLE (
  view_id int, last_success_started timestamptz, last_success_finished timestamptz,
  populated boolean, sources_changed boolean, upstream_newer boolean, day_turned boolean,
  schedule_fired boolean, full_refresh_fired boolean, lag interval, due boolean, due_reason text
)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- Catalog joins are estimated at thousands of rows; JIT would spend seconds compiling for a handful.
SET jit = off
AS $$
  WITH base AS (
    SELECT m.*, COALESCE(m.last_schedule_check, m.registered_at) AS checked_until,
           COALESCE(c.relispopulated, false) AS populated,
           ls.started_at AS ls_started, ls.finished_at AS ls_finished, ls.snapshot_xmin AS ls_xmin,
           kp.consumed AS kp_consumed
    FROM mv_ops.managed_view m
    LEFT JOIN pg_catalog.pg_class c ON c.oid = mv_ops.view_oid(m)
    LEFT JOIN LATERAL (SELECT l.started_at, l.finished_at, l.snapshot_xmin FROM mv_ops.refresh_log l
                       WHERE l.view_id = m.view_id AND l.status = 'succeeded'
                       ORDER BY l.log_id DESC LIMIT 1) ls ON true
    -- A keyed aggregate has consumed exactly the changes its progress snapshot sees. Its log's snapshot_xmin is
    -- taken a statement later, past a writer that committed in between and was not handed over.
    LEFT JOIN mv_ops.key_progress kp ON kp.view_id = m.view_id AND m.keyed
  ), evidence AS (
    SELECT b.*,
           (SELECT min(ch.changed_at) FROM mv_ops.view_source s
            CROSS JOIN LATERAL (
              SELECT sc.changed_at FROM mv_ops.source_change sc
              WHERE sc.source_oid = s.source::oid
                AND CASE WHEN b.kp_consumed IS NOT NULL THEN NOT pg_catalog.pg_visible_in_snapshot(sc.xid, b.kp_consumed)
                         ELSE b.ls_xmin IS NULL OR sc.xid >= b.ls_xmin END
              UNION ALL
              -- regclass as text under this search_path is schema-qualified, as track_keys names the source.
              SELECT ck.changed_at FROM mv_ops.changed_key ck
              WHERE ck.source = s.source::text
                AND CASE WHEN b.kp_consumed IS NOT NULL THEN NOT pg_catalog.pg_visible_in_snapshot(ck.xid, b.kp_consumed)
                         ELSE b.ls_xmin IS NULL OR ck.xid >= b.ls_xmin END) ch
            WHERE s.view_id = b.view_id AND s.kind = 'table') AS first_change,
           (SELECT min(ul.finished_at) FROM mv_ops.view_source s
            JOIN mv_ops.refresh_log ul ON ul.view_id = s.upstream_view_id AND ul.status = 'succeeded'
            WHERE s.view_id = b.view_id AND s.kind = 'managed_view' AND ul.finished_at > b.ls_started) AS first_upstream,
           b.date_relative AND b.ls_started IS NOT NULL
             AND (at AT TIME ZONE b.time_zone)::date > (b.ls_started AT TIME ZONE b.time_zone)::date AS day_turned,
           mv_ops.cron_fired(b.schedule, b.time_zone, b.checked_until, at) AS ticked,
           b.full_refresh_schedule IS NOT NULL
             AND mv_ops.cron_fired(b.full_refresh_schedule, b.time_zone, b.checked_until, at) AS full_fired
    FROM base b
  )
  SELECT e.view_id, e.ls_started, e.ls_finished, e.populated,
         e.first_change IS NOT NULL, e.first_upstream IS NOT NULL, e.day_turned, e.ticked, e.full_fired,
         GREATEST(interval '0',
                  at - e.first_change,
                  at - e.first_upstream,
                  CASE WHEN e.day_turned THEN at - (date_trunc('day', at AT TIME ZONE e.time_zone) AT TIME ZONE e.time_zone) END),
         e.enabled AND (NOT e.populated OR e.ls_started IS NULL OR e.full_fired
                        OR (e.ticked AND (e.first_change IS NOT NULL OR e.first_upstream IS NOT NULL OR e.day_turned))),
         CASE
           WHEN NOT e.enabled THEN NULL
           WHEN NOT e.populated OR e.ls_started IS NULL THEN 'never refreshed'
           WHEN e.full_fired THEN 'full refresh scheduled'
           WHEN NOT e.ticked THEN NULL
           WHEN e.first_change IS NOT NULL THEN 'sources changed'
           WHEN e.first_upstream IS NOT NULL THEN 'upstream refreshed'
           WHEN e.day_turned THEN 'day turned'
         END
  FROM evidence e;
$$;
COMMENT ON FUNCTION mv_ops.view_state_at(timestamptz) IS
  'For each managed view at a moment: whether its sources changed since the snapshot of its last success (a keyed aggregate: since its key progress snapshot) (mv_ops.source_change, and mv_ops.changed_key for key-tracked tables), whether an upstream view refreshed after it, whether the day turned (date-relative views), whether its schedules fired since the last check, its lag, and whether (and why) a scheduled run should refresh it.';

-- After every keyed refresh step, so it must be cheap: the readers of the tables are found by walking the
-- dependency catalog up from them (mv_ops.view_source walks down from every managed view: several ms a call), in
-- plpgsql so the plans are kept for the session, and it returns at once when the journal holds nothing of its
-- sources (most steps: a quiet quarter-hour, or a source other consumers still need).
CREATE OR REPLACE FUNCTION mv_ops.prune_changed_keys(sources text[])
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n bigint;
BEGIN
  -- Most steps find nothing of theirs in the journal (a quiet quarter-hour, or a source other consumers still need).
  IF NOT EXISTS (SELECT FROM mv_ops.changed_key c WHERE c.source = ANY(sources)) THEN
    RETURN 0;
  END IF;
  WITH RECURSIVE read_by(relid, source) AS (
    SELECT pg_catalog.to_regclass(src)::oid, src FROM unnest(sources) src WHERE pg_catalog.to_regclass(src) IS NOT NULL
    UNION
    -- The views and materialized views whose query reads it, and theirs in turn.
    SELECT r.ev_class, rb.source FROM read_by rb
    JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid = rb.relid
                               AND d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.deptype = 'n'
    JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid AND r.ev_class <> rb.relid
  ), readers AS MATERIALIZED (
    -- Views that are not keyed and read these tables (materialized views found above, aggregates as declared),
    -- with the oldest snapshot their last successes may not have seen past.
    SELECT rb.source, bool_or(ls.snapshot_xmin IS NULL) AS unrefreshed, min(ls.snapshot_xmin) AS xmin
    FROM mv_ops.managed_view m
    JOIN read_by rb ON rb.relid = mv_ops.view_oid(m) OR (m.kind = 'aggregate' AND rb.source = ANY(m.declared_sources))
    LEFT JOIN LATERAL (SELECT l.snapshot_xmin FROM mv_ops.refresh_log l
                       WHERE l.view_id = m.view_id AND l.status = 'succeeded'
                       ORDER BY l.log_id DESC LIMIT 1) ls ON true
    WHERE NOT m.keyed
    GROUP BY 1
  )
  -- A row can go once every keyed aggregate reading its table has consumed it (one with no progress row, or paused
  -- with its full refresh pending, needs none of them), and every other view reading the table has refreshed past
  -- it (the row is that table's change journal too).
  DELETE FROM mv_ops.changed_key c
  WHERE c.source = ANY(sources)
    AND NOT EXISTS (SELECT 1 FROM mv_ops.managed_view m JOIN mv_ops.key_progress p USING (view_id)
                    WHERE m.keyed AND c.source = ANY(m.declared_sources) AND (m.enabled OR NOT p.full_pending)
                      AND NOT pg_catalog.pg_visible_in_snapshot(c.xid, p.consumed))
    AND NOT EXISTS (SELECT 1 FROM readers r WHERE r.source = c.source AND (r.unrefreshed OR c.xid >= r.xmin));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
COMMENT ON FUNCTION mv_ops.prune_changed_keys(text[]) IS
  'Deletes the journaled keys of these tables that every keyed aggregate reading them has consumed (a paused one with its full refresh pending waits for none) and every other managed view reading them has refreshed past.';

-- The nightly compaction covers both journals: a key-tracked table read only by materialized views (no keyed
-- refresh prunes after itself) would otherwise keep every row.
CREATE OR REPLACE FUNCTION mv_ops.prune_source_changes()
RETURNS int
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- Catalog joins are estimated at thousands of rows; JIT would spend seconds compiling for a handful.
SET jit = off
AS $$
DECLARE
  n int;
BEGIN
  -- A journal row is no longer needed once every view reading that table refreshed from a snapshot that saw it.
  DELETE FROM mv_ops.source_change sc
  WHERE NOT EXISTS (
    SELECT 1 FROM mv_ops.view_source s
    LEFT JOIN LATERAL (SELECT l.snapshot_xmin FROM mv_ops.refresh_log l
                       WHERE l.view_id = s.view_id AND l.status = 'succeeded'
                       ORDER BY l.log_id DESC LIMIT 1) ls ON true
    WHERE s.source::oid = sc.source_oid AND s.kind = 'table'
      AND (ls.snapshot_xmin IS NULL OR sc.xid >= ls.snapshot_xmin));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n + mv_ops.prune_changed_keys(ARRAY(SELECT DISTINCT c.source FROM mv_ops.changed_key c))::int;
END
$$;
COMMENT ON FUNCTION mv_ops.prune_source_changes() IS
  'Compacts the change journals: removes changes (mv_ops.source_change, and mv_ops.changed_key through prune_changed_keys) every dependent view has already refreshed past. Returns rows removed.';

-- As in 0100, with plain inserts (see the journal's index above), and the generic trigger dropped.
CREATE OR REPLACE FUNCTION mv_ops.track_keys(source regclass, key_column name)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  rel record;
  col_type regtype;
  fn text;
  src text;
  src_now text;
  body text;
BEGIN
  SELECT c.relkind, c.relispartition, n.nspname, c.relname INTO rel
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = source;
  IF rel.relkind IS DISTINCT FROM 'r' OR rel.relispartition THEN
    RAISE EXCEPTION '% is not a plain table: keys are tracked on tables (not partitions or views)', source USING ERRCODE = '42809';
  END IF;
  src := format('%I.%I', rel.nspname, rel.relname);
  -- The journal names the table as it is called when written (a renamed table's rows then match the name its
  -- readers see), not as it was called when tracked.
  src_now := 'pg_catalog.quote_ident(TG_TABLE_SCHEMA) || ''.'' || pg_catalog.quote_ident(TG_TABLE_NAME)';
  IF key_column IS NOT NULL THEN
    SELECT a.atttypid::regtype INTO col_type FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = source AND a.attname = key_column AND a.attnum > 0 AND NOT a.attisdropped;
    IF col_type IS DISTINCT FROM 'date'::regtype THEN
      RAISE EXCEPTION 'key column %.% is %, not a date', src, key_column, COALESCE(col_type::text, 'missing') USING ERRCODE = '42804';
    END IF;
    -- Static SQL per table (a generic trigger would need EXECUTE, re-planned on every POS statement).
    body := format($b$
      IF TG_OP = 'INSERT' THEN
        INSERT INTO mv_ops.changed_key (source, key) SELECT DISTINCT %1$s, n.%2$I FROM mv_ops_new n;
      ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO mv_ops.changed_key (source, key)
        SELECT %1$s, k FROM (SELECT n.%2$I FROM mv_ops_new n UNION SELECT o.%2$I FROM mv_ops_old o) u(k);
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO mv_ops.changed_key (source, key) SELECT DISTINCT %1$s, o.%2$I FROM mv_ops_old o;
      ELSE
        INSERT INTO mv_ops.changed_key (source, key) VALUES (%1$s, '-infinity');
      END IF;$b$, src_now, key_column);
  ELSE
    body := format($b$
      INSERT INTO mv_ops.changed_key (source, key) VALUES (%1$s, '-infinity');$b$, src_now);
  END IF;
  -- Readable and unique: a_b.c and a.b_c differ in the hash, and long names stay within 63 characters.
  fn := format('mv_ops.%I', left(format('keys_of_%s_%s', rel.nspname, rel.relname), 50) || '_' || left(md5(src), 8));
  EXECUTE format($f$CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
                    SET search_path = pg_catalog, pg_temp AS $t$ BEGIN %s
                    RETURN NULL; END $t$ $f$, fn, body);
  EXECUTE format('COMMENT ON FUNCTION %s() IS %L', fn,
                 format('Statement trigger of %s: journals the %s each statement touched in mv_ops.changed_key (generated by mv_ops.track_keys).',
                        src, COALESCE('dates in ' || key_column, 'change as every key')));
  EXECUTE format('REVOKE ALL ON FUNCTION %s() FROM PUBLIC', fn);
  EXECUTE format('CREATE OR REPLACE TRIGGER mv_ops_track_keys_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS mv_ops_new '
                 'FOR EACH STATEMENT EXECUTE FUNCTION %s()', source, fn);
  EXECUTE format('CREATE OR REPLACE TRIGGER mv_ops_track_keys_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS mv_ops_old NEW TABLE AS mv_ops_new '
                 'FOR EACH STATEMENT EXECUTE FUNCTION %s()', source, fn);
  EXECUTE format('CREATE OR REPLACE TRIGGER mv_ops_track_keys_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS mv_ops_old '
                 'FOR EACH STATEMENT EXECUTE FUNCTION %s()', source, fn);
  EXECUTE format('CREATE OR REPLACE TRIGGER mv_ops_track_keys_truncate AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()', source, fn);
  EXECUTE format('COMMENT ON TRIGGER mv_ops_track_keys_insert ON %s IS %L', source, 'mv_ops key journal: the dates inserted rows carry (mv_ops.track_keys).');
  EXECUTE format('COMMENT ON TRIGGER mv_ops_track_keys_update ON %s IS %L', source, 'mv_ops key journal: the old and new dates of updated rows (mv_ops.track_keys).');
  EXECUTE format('COMMENT ON TRIGGER mv_ops_track_keys_delete ON %s IS %L', source, 'mv_ops key journal: the dates deleted rows carried (mv_ops.track_keys).');
  EXECUTE format('COMMENT ON TRIGGER mv_ops_track_keys_truncate ON %s IS %L', source, 'mv_ops key journal: a TRUNCATE changes every key (mv_ops.track_keys).');
  -- The key journal is the table's change journal now (mv_ops.install_tracking).
  EXECUTE format('DROP TRIGGER IF EXISTS mv_ops_track_changes ON %s', source);
END
$$;
COMMENT ON FUNCTION mv_ops.track_keys(regclass, name) IS
  'Journals the business dates (key_column, a date) that every INSERT, UPDATE (old and new dates), DELETE and TRUNCATE (every key) of a table touches, with four statement triggers mv_ops_track_keys_* using transition tables: a journal row per date and statement. key_column NULL: any change means every key (for small tables such as capacities). The key journal is then the table''s change journal too, so its mv_ops_track_changes trigger goes. Idempotent.';

-- The trigger functions track_keys generated before this migration, regenerated as it generates them now: plain
-- inserts, and the table's name as it is when written (their comments and grants stay: CREATE OR REPLACE keeps them).
DO $$
DECLARE
  f record;
BEGIN
  FOR f IN SELECT DISTINCT p.oid::regprocedure AS fn, pg_catalog.format('%I.%I', n.nspname, c.relname) AS src
           FROM pg_catalog.pg_proc p
           JOIN pg_catalog.pg_trigger g ON g.tgfoid = p.oid AND g.tgname LIKE 'mv\_ops\_track\_keys\_%'
           JOIN pg_catalog.pg_class c ON c.oid = g.tgrelid
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE p.pronamespace = 'mv_ops'::regnamespace AND p.proname LIKE 'keys\_of\_%' AND p.prorettype = 'trigger'::regtype
  LOOP
    EXECUTE replace(replace(pg_catalog.pg_get_functiondef(f.fn), ' ON CONFLICT DO NOTHING', ''),
                    pg_catalog.quote_literal(f.src),
                    'pg_catalog.quote_ident(TG_TABLE_SCHEMA) || ''.'' || pg_catalog.quote_ident(TG_TABLE_NAME)');
  END LOOP;
END
$$;

-- Tables key-tracked before this migration lose their second trigger now.
SELECT mv_ops.install_tracking(t.tbl) FROM (SELECT DISTINCT tt.tbl FROM mv_ops.tracked_table tt) t
WHERE mv_ops.key_tracked(t.tbl::text);
