-- 0114: the POS write path stops paying for the key journal on the rows it writes most: inserts dated the current
-- day. A statement trigger that reads its transition table costs more per single-line receipt than the 10 % the
-- write path may grow by (pgbench, fsync off: about +25 µs just to look at the rows, against a 140-175 µs insert),
-- so a table can be tracked with a current day (mv_ops.track_keys' third argument): its inserts go through a row
-- trigger whose WHEN clause, evaluated by the executor without calling any function, lets only rows dated another
-- day through to the journal. Updates, deletes and truncates keep their statement triggers. What the journal lacks
-- is found in the table instead: the keys of rows written by transactions the previous refresh may not have seen,
-- among the days such a writer could have begun writing on, bounded by a clock of transaction ids
-- (mv_ops.xid_clock, mv_ops.unjournaled_keys). Every incremental refresh and the scheduler read them, so a quiet
-- table is not due and a refresh takes only the days that changed.
-- Up Migration

CREATE TABLE IF NOT EXISTS mv_ops.xid_clock (
  next_xid xid8 PRIMARY KEY,
  seen_at timestamptz NOT NULL
);
COMMENT ON TABLE mv_ops.xid_clock IS
  'Marks of the transaction-id counter against the wall clock: every transaction id at or above next_xid was assigned at or after seen_at (mv_ops.mark_xid_clock). Bounds when a writer that a snapshot did not see began writing (mv_ops.xid_assigned_after). Thinned nightly by mv_ops.prune_source_changes.';
COMMENT ON COLUMN mv_ops.xid_clock.next_xid IS 'The marking transaction''s own id, assigned after seen_at was read.';
COMMENT ON COLUMN mv_ops.xid_clock.seen_at IS 'clock_timestamp() read before next_xid was assigned (the real clock: the row triggers judge the current day by it).';
REVOKE ALL ON TABLE mv_ops.xid_clock FROM PUBLIC;

CREATE TABLE IF NOT EXISTS mv_ops.current_day_source (
  tbl oid PRIMARY KEY,
  key_column name NOT NULL,
  time_zone text NOT NULL
);
COMMENT ON TABLE mv_ops.current_day_source IS
  'Key-tracked tables whose inserts dated the current day (in time_zone, by the real clock at the insert) are not journaled in mv_ops.changed_key (mv_ops.track_keys with a time zone). Every incremental refresh of a reader takes those days instead, and the scheduler looks for their rows (mv_ops.unseen_current_day_rows).';
COMMENT ON COLUMN mv_ops.current_day_source.tbl IS 'The table (pg_class oid, so a rename keeps it).';
COMMENT ON COLUMN mv_ops.current_day_source.key_column IS 'Its date column, the journal''s key.';
COMMENT ON COLUMN mv_ops.current_day_source.time_zone IS 'The time zone the current day is judged in, written into the insert trigger''s WHEN clause.';
REVOKE ALL ON TABLE mv_ops.current_day_source FROM PUBLIC;

-- Late rows are journaled row by row: an exact probe keeps one journal row per transaction and date.
CREATE INDEX IF NOT EXISTS changed_key_source_xid_key ON mv_ops.changed_key (source, xid, key);
COMMENT ON INDEX mv_ops.changed_key_source_xid_key IS
  'A source''s journal by writing transaction and key: what refreshes, pruning and the row insert trigger''s duplicate check read.';
DROP INDEX IF EXISTS mv_ops.changed_key_source_xid;

CREATE OR REPLACE FUNCTION mv_ops.mark_xid_clock()
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  seen timestamptz := pg_catalog.clock_timestamp();
BEGIN
  -- A snapshot's xmax is no bound (a transaction can hold an id above it), the own id assigned now is. A
  -- transaction that already has one cannot mark: its id may predate the clock reading.
  IF pg_catalog.pg_current_xact_id_if_assigned() IS NULL THEN
    INSERT INTO mv_ops.xid_clock (next_xid, seen_at) VALUES (pg_catalog.pg_current_xact_id(), seen);
  END IF;
END
$$;
COMMENT ON FUNCTION mv_ops.mark_xid_clock() IS
  'Marks the transaction-id clock (mv_ops.xid_clock) with this transaction''s id, unless it already has one. Called first by every keyed refresh step and every scheduler tick.';
REVOKE ALL ON FUNCTION mv_ops.mark_xid_clock() FROM PUBLIC;

CREATE OR REPLACE FUNCTION mv_ops.xid_assigned_after(x xid8)
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT c.seen_at FROM mv_ops.xid_clock c WHERE c.next_xid <= x ORDER BY c.next_xid DESC LIMIT 1
$$;
COMMENT ON FUNCTION mv_ops.xid_assigned_after(xid8) IS
  'A moment at or before which no transaction id at or above x was assigned (the latest mark at or below x), or NULL without such a mark.';
REVOKE ALL ON FUNCTION mv_ops.xid_assigned_after(xid8) FROM PUBLIC;

-- No SET clause: that would keep it from being inlined into the per-row scan of mv_ops.unjournaled_keys, which
-- runs under a pinned search_path.
CREATE OR REPLACE FUNCTION mv_ops.full_xid(x xid, next_xid bigint)
RETURNS xid8
LANGUAGE sql IMMUTABLE
AS $$
  -- A row's xmin is 32 bits; a committed one lies within 2^31 ids below the counter, which fixes its epoch.
  SELECT (next_xid OPERATOR(pg_catalog.-) ((next_xid OPERATOR(pg_catalog.%) 4294967296 OPERATOR(pg_catalog.-) x::text::bigint
          OPERATOR(pg_catalog.+) 4294967296) OPERATOR(pg_catalog.%) 4294967296))::text::pg_catalog.xid8
$$;
COMMENT ON FUNCTION mv_ops.full_xid(xid, bigint) IS
  'The 64-bit id of a recent transaction id x (a row''s xmin), given the counter next_xid (a current snapshot''s xmax).';
REVOKE ALL ON FUNCTION mv_ops.full_xid(xid, bigint) FROM PUBLIC;

-- The scheduler and freshness call it, and they must not wait behind a lock on a POS table: a short lock_timeout,
-- and NULL ("cannot tell": due, or a full refresh) when it expires.
CREATE OR REPLACE FUNCTION mv_ops.unjournaled_keys(source oid, seen pg_snapshot)
RETURNS date[]
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET lock_timeout = '200ms'
AS $$
DECLARE
  cd record;
  since timestamptz;
  counter bigint := pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::bigint;
  keys date[];
BEGIN
  SELECT c.key_column, c.time_zone INTO cd FROM mv_ops.current_day_source c WHERE c.tbl = source;
  IF NOT FOUND THEN
    RETURN '{}';
  END IF;
  since := mv_ops.xid_assigned_after(pg_catalog.pg_snapshot_xmin(seen));
  -- Never refreshed, or no mark that old: what is unseen is unknown.
  IF since IS NULL THEN
    RETURN NULL;
  END IF;
  -- A row that was not journaled is dated the day its writer inserted it, after it got its id: on or after since's
  -- day (a day earlier, in case the clock was set back). Its xmin may be a subtransaction's id, above its top-level
  -- one, which is what a snapshot lists: so not "invisible in seen" but "at or above seen's oldest running writer",
  -- which may take rows seen already saw (a transaction held open across a refresh makes such rows due again).
  BEGIN
    EXECUTE format('SELECT COALESCE(pg_catalog.array_agg(DISTINCT t.%1$I ORDER BY t.%1$I), ''{}'') FROM %2$s t
                    WHERE t.%1$I >= $1 AND mv_ops.full_xid(t.xmin, $2) >= $3', cd.key_column, source::regclass)
      INTO keys USING (since AT TIME ZONE cd.time_zone)::date - 1, counter, pg_catalog.pg_snapshot_xmin(seen);
  EXCEPTION WHEN lock_not_available THEN
    RETURN NULL;
  END;
  RETURN keys;
END
$$;
COMMENT ON FUNCTION mv_ops.unjournaled_keys(oid, pg_snapshot) IS
  'The keys of a current-day source (mv_ops.current_day_source) carried by rows that transactions the snapshot seen does not see may have written (an xmin at or above its oldest running writer), among the rows dated on or after the day before the one such a writer could have begun writing (mv_ops.xid_assigned_after): a superset of the current-day inserts its journal lacks. NULL when that day is unknown or the table is locked past a short lock_timeout; empty for any other table.';
REVOKE ALL ON FUNCTION mv_ops.unjournaled_keys(oid, pg_snapshot) FROM PUBLIC;

CREATE OR REPLACE FUNCTION mv_ops.unseen_current_day_rows(target_view_id int, seen pg_snapshot)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT COALESCE(bool_or(k.keys IS NULL OR cardinality(k.keys) > 0), false)
  FROM mv_ops.view_source vs
  JOIN mv_ops.current_day_source cd ON cd.tbl = vs.source::oid
  CROSS JOIN LATERAL (SELECT mv_ops.unjournaled_keys(cd.tbl, seen) AS keys) k
  WHERE vs.view_id = target_view_id AND vs.kind = 'table'
$$;
COMMENT ON FUNCTION mv_ops.unseen_current_day_rows(int, pg_snapshot) IS
  'Whether a current-day source of the view holds rows the snapshot seen does not see that its journal may lack (mv_ops.unjournaled_keys; true when that is unknown): what mv_ops.view_state_at reads for changes that are not journaled.';
REVOKE ALL ON FUNCTION mv_ops.unseen_current_day_rows(int, pg_snapshot) FROM PUBLIC;

DROP FUNCTION IF EXISTS mv_ops.track_keys(regclass, name);
CREATE FUNCTION mv_ops.track_keys(source regclass, key_column name, current_day_time_zone text DEFAULT NULL)
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
  IF current_day_time_zone IS NOT NULL AND key_column IS NULL THEN
    RAISE EXCEPTION 'a current day needs a key column: % is tracked without one', src USING ERRCODE = '22023';
  END IF;
  IF current_day_time_zone IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_timezone_names z WHERE z.name = current_day_time_zone) THEN
    RAISE EXCEPTION 'unknown time zone "%"', current_day_time_zone USING ERRCODE = '22023',
      HINT = 'Use an IANA name such as Asia/Bangkok or UTC.';
  END IF;
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
      IF TG_LEVEL = 'ROW' THEN
        -- An insert dated another day than the current one (the WHEN clause): once per transaction and date, as the
        -- statement triggers journal. Both go through variables for the index probe: the id is volatile, and the
        -- name is of collation "C" (name); the function's enable_seqscan = off keeps the probe on the index when
        -- the journal has grown past its statistics (a bulk load of old rows would otherwise scan it per row).
        writer := pg_catalog.pg_current_xact_id();
        tbl := %1$s;
        INSERT INTO mv_ops.changed_key (source, key) SELECT tbl, NEW.%2$I
        WHERE NOT EXISTS (SELECT 1 FROM mv_ops.changed_key c WHERE c.source = tbl AND c.xid = writer AND c.key = NEW.%2$I);
      ELSIF TG_OP = 'INSERT' THEN
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
                    SET search_path = pg_catalog, pg_temp SET enable_seqscan = off
                    AS $t$ DECLARE writer xid8; tbl text; BEGIN %s
                    RETURN NULL; END $t$ $f$, fn, body);
  EXECUTE format('COMMENT ON FUNCTION %s() IS %L', fn,
                 format('Trigger of %s: journals the %s each statement touched in mv_ops.changed_key%s (generated by mv_ops.track_keys).',
                        src, COALESCE('dates in ' || key_column, 'change as every key'),
                        CASE WHEN current_day_time_zone IS NOT NULL
                             THEN format(', except inserted rows dated the current day in %s (mv_ops.current_day_source)', current_day_time_zone)
                             ELSE '' END));
  EXECUTE format('REVOKE ALL ON FUNCTION %s() FROM PUBLIC', fn);
  -- Rows dated the current day under the old setting that no reader has refreshed past are in no journal, and the
  -- readers will not look for them under the new one (another zone's day, or none): every key changed.
  IF EXISTS (SELECT 1 FROM mv_ops.current_day_source cd WHERE cd.tbl = source
             AND (cd.time_zone, cd.key_column) IS DISTINCT FROM (current_day_time_zone, track_keys.key_column)) THEN
    INSERT INTO mv_ops.changed_key (source, key) VALUES (src, '-infinity');
  END IF;
  -- A statement trigger cannot become a row trigger in place.
  EXECUTE format('DROP TRIGGER IF EXISTS mv_ops_track_keys_insert ON %s', source);
  IF current_day_time_zone IS NOT NULL THEN
    -- The WHEN clause is evaluated by the executor for each row without calling the function: a row dated the
    -- current day costs the writer a clock reading and a comparison.
    EXECUTE format('CREATE TRIGGER mv_ops_track_keys_insert AFTER INSERT ON %s FOR EACH ROW '
                   'WHEN (NEW.%I IS DISTINCT FROM (pg_catalog.clock_timestamp() AT TIME ZONE %L)::date) EXECUTE FUNCTION %s()',
                   source, key_column, current_day_time_zone, fn);
    EXECUTE format('COMMENT ON TRIGGER mv_ops_track_keys_insert ON %s IS %L', source,
                   format('mv_ops key journal: the dates inserted rows carry, except the current day in %s, which every incremental refresh takes (mv_ops.track_keys).', current_day_time_zone));
    INSERT INTO mv_ops.current_day_source (tbl, key_column, time_zone) VALUES (source, key_column, current_day_time_zone)
    ON CONFLICT (tbl) DO UPDATE SET key_column = EXCLUDED.key_column, time_zone = EXCLUDED.time_zone;
  ELSE
    EXECUTE format('CREATE TRIGGER mv_ops_track_keys_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS mv_ops_new '
                   'FOR EACH STATEMENT EXECUTE FUNCTION %s()', source, fn);
    EXECUTE format('COMMENT ON TRIGGER mv_ops_track_keys_insert ON %s IS %L', source, 'mv_ops key journal: the dates inserted rows carry (mv_ops.track_keys).');
    DELETE FROM mv_ops.current_day_source cd WHERE cd.tbl = source;
  END IF;
  EXECUTE format('CREATE OR REPLACE TRIGGER mv_ops_track_keys_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS mv_ops_old NEW TABLE AS mv_ops_new '
                 'FOR EACH STATEMENT EXECUTE FUNCTION %s()', source, fn);
  EXECUTE format('CREATE OR REPLACE TRIGGER mv_ops_track_keys_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS mv_ops_old '
                 'FOR EACH STATEMENT EXECUTE FUNCTION %s()', source, fn);
  EXECUTE format('CREATE OR REPLACE TRIGGER mv_ops_track_keys_truncate AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()', source, fn);
  EXECUTE format('COMMENT ON TRIGGER mv_ops_track_keys_update ON %s IS %L', source, 'mv_ops key journal: the old and new dates of updated rows (mv_ops.track_keys).');
  EXECUTE format('COMMENT ON TRIGGER mv_ops_track_keys_delete ON %s IS %L', source, 'mv_ops key journal: the dates deleted rows carried (mv_ops.track_keys).');
  EXECUTE format('COMMENT ON TRIGGER mv_ops_track_keys_truncate ON %s IS %L', source, 'mv_ops key journal: a TRUNCATE changes every key (mv_ops.track_keys).');
  -- The key journal is the table's change journal now (mv_ops.install_tracking).
  EXECUTE format('DROP TRIGGER IF EXISTS mv_ops_track_changes ON %s', source);
END
$$;
COMMENT ON FUNCTION mv_ops.track_keys(regclass, name, text) IS
  'Journals the business dates (key_column, a date) that every INSERT, UPDATE (old and new dates), DELETE and TRUNCATE (every key) of a table touches, with statement triggers mv_ops_track_keys_* using transition tables: a journal row per date and statement. With current_day_time_zone, inserts go through a row trigger instead that journals only rows dated another day than the current one in that time zone (once per transaction and date); the current days are handed to every incremental refresh (mv_ops.current_day_source), so the writes a POS makes all day cost almost nothing. key_column NULL: any change means every key (for small tables such as capacities). The key journal is then the table''s change journal too, so its mv_ops_track_changes trigger goes. Idempotent.';
REVOKE ALL ON FUNCTION mv_ops.track_keys(regclass, name, text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION mv_ops.refresh_step(target_log bigint)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  step record;
  populated boolean;
  holder bigint;
  n bigint;
  mode text;
  routine_kind "char";
  routine regprocedure;
  routine_definer boolean;
  routine_owner oid;
  err_state text;
  err_message text;
  keyed boolean;
  sources text[];
  snap pg_snapshot;
  prev pg_snapshot;
  handed jsonb;
  n_keys int;
  unjournaled jsonb;
BEGIN
  SELECT l.log_id, l.view_id, l.trigger, m.schema_name, m.view_name, m.kind, m.refresh_routine,
         m.full_refresh_schedule, m.time_zone, m.keyed, m.declared_sources INTO step
  FROM mv_ops.refresh_log l JOIN mv_ops.managed_view m USING (view_id)
  WHERE l.log_id = target_log AND l.status = 'running';
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  -- One refresh per view at a time: a second request does not wait and does not refresh twice.
  IF NOT pg_try_advisory_xact_lock(hashtext('mv_ops.refresh'), step.view_id) THEN
    SELECT o.run_id INTO holder FROM mv_ops.refresh_log o
    WHERE o.view_id = step.view_id AND o.status = 'running' AND o.log_id <> target_log ORDER BY o.log_id LIMIT 1;
    UPDATE mv_ops.refresh_log SET status = 'skipped', finished_at = mv_ops.clock(),
           message = format('already being refreshed by run %s', COALESCE(holder::text, '(unknown)'))
    WHERE log_id = target_log;
    RETURN 'skipped';
  END IF;
  IF step.kind = 'aggregate' THEN
    -- What the routine is asked for: a person asking, a first refresh or the full-refresh schedule mean full.
    SELECT CASE
             WHEN step.trigger IN ('manual', 'api') OR ls.started_at IS NULL THEN 'full'
             WHEN step.full_refresh_schedule IS NOT NULL
                  AND mv_ops.cron_fired(step.full_refresh_schedule, step.time_zone, ls.started_at, mv_ops.clock()) THEN 'full'
             ELSE 'incremental'
           END INTO mode
    FROM (SELECT max(l.started_at) AS started_at FROM mv_ops.refresh_log l
          WHERE l.view_id = step.view_id AND l.status = 'succeeded') ls;
    IF step.keyed THEN
      -- Taken before anything is read: every change this snapshot sees is reflected once the refresh commits
      -- (later statements see at least as much); later changes stay in the journal for the next one.
      -- The clock is marked first (this transaction's xid is not assigned yet), so the next refresh knows when
      -- the writers this snapshot does not see began writing (mv_ops.xid_assigned_after).
      PERFORM mv_ops.mark_xid_clock();
      snap := pg_catalog.pg_current_snapshot();
      SELECT p.consumed INTO prev FROM mv_ops.key_progress p WHERE p.view_id = step.view_id AND NOT p.full_pending;
      -- Full when never refreshed (or a rebuild asked), and when a declared source has no key journal (it was
      -- declared again since make_keyed): its changes could not be handed over.
      IF prev IS NULL OR EXISTS (SELECT 1 FROM unnest(step.declared_sources) s WHERE NOT mv_ops.key_tracked(s)) THEN
        mode := 'full';
      END IF;
      -- A source whose current-day inserts are not journaled (mv_ops.current_day_source): the keys of its rows
      -- the previous snapshot may not have seen (mv_ops.unjournaled_keys); full when those cannot be told. Rows
      -- committed after this snapshot may add keys: recomputing a key is always right, and the next refresh
      -- takes them again.
      IF mode = 'incremental' THEN
        -- Before the block that logs a failure: whatever goes wrong here (a renamed column, say) makes the
        -- refresh full, whose outcome that block logs, rather than aborting the run.
        BEGIN
          SELECT jsonb_object_agg(s.src, pg_catalog.to_jsonb(mv_ops.unjournaled_keys(cd.tbl, prev))) INTO unjournaled
          FROM unnest(step.declared_sources) s(src)
          JOIN mv_ops.current_day_source cd ON cd.tbl = pg_catalog.to_regclass(s.src)::oid;
        EXCEPTION WHEN OTHERS THEN
          unjournaled := '{"?": null}';
        END;
        IF EXISTS (SELECT 1 FROM jsonb_each(unjournaled) e WHERE jsonb_typeof(e.value) = 'null') THEN
          mode := 'full';
        END IF;
      END IF;
      IF mode = 'incremental' THEN
        SELECT jsonb_object_agg(s.src, COALESCE(k.keys, '[]'::jsonb)) INTO handed
        FROM unnest(step.declared_sources) s(src)
        LEFT JOIN LATERAL (
          SELECT jsonb_agg(DISTINCT u.key ORDER BY u.key) AS keys FROM (
            SELECT c.key FROM mv_ops.changed_key c
            WHERE c.source = s.src AND pg_catalog.pg_visible_in_snapshot(c.xid, snap)
              AND NOT pg_catalog.pg_visible_in_snapshot(c.xid, prev)
            UNION ALL
            SELECT j::date FROM jsonb_array_elements_text(COALESCE(unjournaled -> s.src, '[]')) j
          ) u
        ) k ON true;
        -- A TRUNCATE (or a change to a table tracked without a key) changed every key.
        IF EXISTS (SELECT 1 FROM jsonb_each(handed) e, jsonb_array_elements_text(e.value) k WHERE k = '-infinity') THEN
          mode := 'full';
        END IF;
        SELECT count(*) INTO n_keys FROM jsonb_each(handed) e, jsonb_array_elements(e.value);
      END IF;
    END IF;
    -- Readers of a table are never blocked by its refresh, so "concurrently" does not apply.
    UPDATE mv_ops.refresh_log SET refreshed_concurrently = NULL, snapshot_xmin = pg_snapshot_xmin(pg_current_snapshot()),
           refresh_type = mode
    WHERE log_id = target_log;
  ELSE
    SELECT c.relispopulated INTO populated FROM pg_catalog.pg_class c
    WHERE c.oid = to_regclass(format('%I.%I', step.schema_name, step.view_name));
    UPDATE mv_ops.refresh_log SET refreshed_concurrently = COALESCE(populated, false),
           snapshot_xmin = pg_snapshot_xmin(pg_current_snapshot()), refresh_type = 'full'
    WHERE log_id = target_log;
  END IF;
  BEGIN
    PERFORM set_config('lock_timeout', (extract(epoch FROM mv_ops.setting_interval('lock_timeout')) * 1000)::bigint::text, true);
    -- CURRENT_DATE and timestamptz-to-date casts in the view follow its registered time zone, the one its
    -- day boundary is judged in, whoever refreshes it (pg_cron, the service and psql sessions differ).
    PERFORM set_config('TimeZone', step.time_zone, true);
    -- Dates cast to text (week ranges) read the same whichever session refreshes, so rows compare equal.
    PERFORM set_config('DateStyle', 'ISO, MDY', true);
    IF step.kind = 'aggregate' THEN
      SELECT p.oid, p.prokind, p.prosecdef, p.proowner INTO routine, routine_kind, routine_definer, routine_owner
      FROM pg_catalog.pg_proc p WHERE p.oid = pg_catalog.to_regprocedure(step.refresh_routine);
      IF routine IS NULL THEN
        RAISE EXCEPTION 'refresh routine % of %.% no longer exists: register the aggregate again',
          step.refresh_routine, step.schema_name, step.view_name USING ERRCODE = '42883';
      END IF;
      -- Checked again at every call, not only at registration: the routine is found by name, and whoever may
      -- drop it (its schema's owner) could put an invoker routine of their own there to run as the registry owner.
      IF NOT routine_definer AND routine_owner <> (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
        RAISE EXCEPTION 'refresh routine % of %.% is now owned by another role and is not SECURITY DEFINER: not run',
          step.refresh_routine, step.schema_name, step.view_name USING ERRCODE = '42501';
      END IF;
      PERFORM set_config('mv_ops.refresh_mode', mode, true);
      PERFORM set_config('mv_ops.refresh_log_id', target_log::text, true);
      PERFORM set_config('mv_ops.refresh_trigger', step.trigger, true);
      PERFORM set_config('mv_ops.refresh_keys', CASE WHEN mode = 'incremental' THEN handed::text ELSE '' END, true);
      PERFORM set_config('mv_ops.recomputed_keys', '', true);
      PERFORM set_config('mv_ops.row_delta', '', true);
      -- The routine is the one named at registration, resolved again here; its regprocedure text is name() (no arguments).
      EXECUTE format(CASE WHEN routine_kind = 'p' THEN 'CALL %s' ELSE 'SELECT %s' END, routine);
      PERFORM set_config('mv_ops.refresh_mode', '', true);
      PERFORM set_config('mv_ops.refresh_log_id', '', true);
      PERFORM set_config('mv_ops.refresh_trigger', '', true);
      PERFORM set_config('mv_ops.refresh_keys', '', true);
      IF step.keyed THEN
        -- In the same transaction as the rows: a failure keeps the previous rows and the previous progress.
        INSERT INTO mv_ops.key_progress (view_id, consumed, consumed_at) VALUES (step.view_id, snap, mv_ops.clock())
        ON CONFLICT (view_id) DO UPDATE SET consumed = EXCLUDED.consumed, consumed_at = EXCLUDED.consumed_at, full_pending = false;
        IF mode = 'incremental' THEN
          n_keys := COALESCE(NULLIF(pg_catalog.current_setting('mv_ops.recomputed_keys', true), '')::int, n_keys);
          UPDATE mv_ops.refresh_log SET key_count = n_keys WHERE log_id = target_log;
        END IF;
      END IF;
    ELSE
      -- CONCURRENTLY keeps the view readable, but PostgreSQL refuses it before the first population.
      EXECUTE format('REFRESH MATERIALIZED VIEW %s %I.%I',
                     CASE WHEN populated THEN 'CONCURRENTLY' ELSE '' END, step.schema_name, step.view_name);
    END IF;
    IF step.keyed AND mode = 'incremental' THEN
      -- The rows the routine added or removed (mv_ops.apply_rows counts them) on top of the last success's
      -- count: counting a large table after a small incremental change would cost more than the change.
      SELECT l.rows_after + COALESCE(NULLIF(pg_catalog.current_setting('mv_ops.row_delta', true), '')::bigint, 0) INTO n
      FROM mv_ops.refresh_log l
      WHERE l.view_id = step.view_id AND l.status = 'succeeded' AND l.rows_after IS NOT NULL
      ORDER BY l.log_id DESC LIMIT 1;
    END IF;
    IF n IS NULL THEN
      EXECUTE format('SELECT count(*) FROM %I.%I', step.schema_name, step.view_name) INTO n;
    END IF;
    UPDATE mv_ops.refresh_log SET status = 'succeeded', finished_at = mv_ops.clock(), rows_after = n
    WHERE log_id = target_log;
    RETURN 'succeeded';
  EXCEPTION
    -- query_canceled is not part of OTHERS; the watchdog's cancel must be recorded too.
    WHEN query_canceled OR OTHERS THEN
      GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_message = MESSAGE_TEXT;
      UPDATE mv_ops.refresh_log SET status = 'failed', finished_at = mv_ops.clock(),
             sqlstate = err_state, message = left(err_message, 2000)
      WHERE log_id = target_log;
      RETURN 'failed';
  END;
END
$$;
COMMENT ON FUNCTION mv_ops.refresh_step(bigint) IS
  'As in 0074, plus keyed aggregates: an incremental refresh hands the routine, in mv_ops.refresh_keys (read with mv_ops.refresh_keys(source)), the dates each declared source journaled in mv_ops.changed_key since its previous refresh''s snapshot (mv_ops.key_progress), and of a current-day source (mv_ops.current_day_source) the keys of the rows written since that its journal lacks (mv_ops.unjournaled_keys; full when those cannot be told), and logs refresh_type and key_count (the keys the routine recomputed, as counted by mv_ops.apply_keyed, else the changed dates); full when never refreshed, asked for, scheduled, or a source was truncated. Every attempt logs refresh_type (a materialized view: full). Refreshes the view of one running attempt under its advisory lock, in the view''s registered time zone, and records the outcome; a failure rolls back only this view. A materialized view: REFRESH, plain when never populated, else CONCURRENTLY. An aggregate: its registered routine, resolved by name and refused unless SECURITY DEFINER or owned by the registry owner, called with mv_ops.refresh_mode (full | incremental), mv_ops.refresh_log_id and mv_ops.refresh_trigger set for the transaction; rows_after is the table''s row count.';

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
           -- Current-day inserts of some tables are not journaled (mv_ops.current_day_source): their rows are
           -- looked for instead, as seen from the same snapshot (a non-keyed view: none below its log's xmin).
           CASE WHEN EXISTS (SELECT 1 FROM mv_ops.view_source s JOIN mv_ops.current_day_source cd ON cd.tbl = s.source::oid
                             WHERE s.view_id = b.view_id AND s.kind = 'table')
                THEN mv_ops.unseen_current_day_rows(b.view_id, COALESCE(b.kp_consumed,
                       (b.ls_xmin::text || ':' || b.ls_xmin::text || ':')::pg_catalog.pg_snapshot))
                ELSE false END AS current_day_unseen,
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
         e.first_change IS NOT NULL OR e.current_day_unseen, e.first_upstream IS NOT NULL, e.day_turned, e.ticked, e.full_fired,
         GREATEST(interval '0',
                  at - e.first_change,
                  at - e.first_upstream,
                  -- When such a row was written is not recorded: at most since the last refresh began.
                  CASE WHEN e.current_day_unseen THEN at - e.ls_started END,
                  CASE WHEN e.day_turned THEN at - (date_trunc('day', at AT TIME ZONE e.time_zone) AT TIME ZONE e.time_zone) END),
         e.enabled AND (NOT e.populated OR e.ls_started IS NULL OR e.full_fired
                        OR (e.ticked AND (e.first_change IS NOT NULL OR e.current_day_unseen
                                          OR e.first_upstream IS NOT NULL OR e.day_turned))),
         CASE
           WHEN NOT e.enabled THEN NULL
           WHEN NOT e.populated OR e.ls_started IS NULL THEN 'never refreshed'
           WHEN e.full_fired THEN 'full refresh scheduled'
           WHEN NOT e.ticked THEN NULL
           WHEN e.first_change IS NOT NULL OR e.current_day_unseen THEN 'sources changed'
           WHEN e.first_upstream IS NOT NULL THEN 'upstream refreshed'
           WHEN e.day_turned THEN 'day turned'
         END
  FROM evidence e;
$$;
COMMENT ON FUNCTION mv_ops.view_state_at(timestamptz) IS
  'For each managed view at a moment: whether its sources changed since the snapshot of its last success (a keyed aggregate: since its key progress snapshot) (mv_ops.source_change, mv_ops.changed_key for key-tracked tables, and rows of a current-day source that snapshot does not see: mv_ops.unseen_current_day_rows, whose lag counts from the last refresh''s start), whether an upstream view refreshed after it, whether the day turned (date-relative views), whether its schedules fired since the last check, its lag, and whether (and why) a scheduled run should refresh it.';

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
  -- Before anything writes (and not before the wait above, which would hold an id meanwhile): a mark a minute
  -- bounds how far back the current days of an unseen writer reach.
  PERFORM mv_ops.mark_xid_clock();
  PERFORM mv_ops.heal_tracking();
  SELECT COALESCE(array_agg(mv_ops.qualified_name(m) ORDER BY m.view_id), '{}') INTO names
  FROM mv_ops.view_state_at(at) s JOIN mv_ops.managed_view m USING (view_id)
  WHERE s.due AND (target_pack IS NULL OR m.pack = target_pack);
  UPDATE mv_ops.managed_view m SET last_schedule_check = at
  WHERE (target_pack IS NULL OR m.pack = target_pack) AND m.enabled
    AND (m.last_schedule_check IS NULL OR m.last_schedule_check < at);
  RETURN names;
END
$$;
COMMENT ON FUNCTION mv_ops.claim_due(text) IS
  'Names of the views a scheduled run should refresh now, and advances their schedule check to now; first marks the transaction-id clock (mv_ops.mark_xid_clock) and puts change tracking back where it is missing.';

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
  -- Older marks of the transaction-id clock are thinned to the first of each hour (past a day) and of each day (past
  -- a month): a coarser mark only makes a refresh take a day more, never fewer.
  DELETE FROM mv_ops.xid_clock c
  USING (SELECT o.next_xid,
                row_number() OVER (PARTITION BY date_trunc(CASE WHEN o.seen_at < pg_catalog.clock_timestamp() - interval '31 days'
                                                                THEN 'day' ELSE 'hour' END, o.seen_at)
                                   ORDER BY o.next_xid) AS nth
         FROM mv_ops.xid_clock o WHERE o.seen_at < pg_catalog.clock_timestamp() - interval '1 day') old
  WHERE old.next_xid = c.next_xid AND old.nth > 1;
  RETURN n + mv_ops.prune_changed_keys(ARRAY(SELECT DISTINCT c.source FROM mv_ops.changed_key c))::int;
END
$$;
COMMENT ON FUNCTION mv_ops.prune_source_changes() IS
  'Compacts the change journals: removes changes (mv_ops.source_change, and mv_ops.changed_key through prune_changed_keys) every dependent view has already refreshed past, and thins old marks of mv_ops.xid_clock. Returns journal rows removed.';
