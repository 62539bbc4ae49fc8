-- 0100: changed keys, journaled: statement triggers with transition tables record which business dates each
-- transaction touched in a key-tracked table, so a keyed aggregate is refreshed for those dates only.
-- Up Migration
CREATE TABLE IF NOT EXISTS mv_ops.changed_key (
  source text NOT NULL,
  key date NOT NULL,
  xid xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id(),
  PRIMARY KEY (source, key, xid)
);
COMMENT ON TABLE mv_ops.changed_key IS
  'Insert-only journal of changed keys: one row per (key-tracked table, business date, writing transaction), written by the mv_ops_track_keys_* statement triggers. A keyed aggregate''s refresh takes the keys of its sources whose transaction its snapshot sees and its previous refresh did not (mv_ops.key_progress); rows every consumer has seen are pruned. The key -infinity means every key (a TRUNCATE, or a change to a table tracked without a key column).';
COMMENT ON COLUMN mv_ops.changed_key.key IS 'A business date whose rows the transaction changed; -infinity: every date.';
COMMENT ON COLUMN mv_ops.changed_key.source IS 'The key-tracked table, schema-qualified (as in managed_view.declared_sources).';
COMMENT ON COLUMN mv_ops.changed_key.xid IS 'Writing transaction: part of the key so concurrent writers of one date never wait on each other.';
REVOKE ALL ON mv_ops.changed_key FROM PUBLIC;
-- No grant: written by the definer triggers, read by the definer refresh step.

CREATE TABLE IF NOT EXISTS mv_ops.key_progress (
  view_id int PRIMARY KEY REFERENCES mv_ops.managed_view ON DELETE CASCADE,
  consumed pg_snapshot NOT NULL,
  consumed_at timestamptz NOT NULL,
  full_pending boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE mv_ops.key_progress IS
  'Per keyed aggregate (a row from mv_ops.make_keyed on): the snapshot its last successful refresh started under. Changes by transactions visible in it are reflected in the aggregate; the next incremental refresh takes the rest, and pruning keeps them for it.';
COMMENT ON COLUMN mv_ops.key_progress.consumed IS 'Snapshot the last successful refresh started under (for a pending full refresh: the moment it was asked for, which keeps the journal rows it may need).';
COMMENT ON COLUMN mv_ops.key_progress.consumed_at IS 'When that refresh (or the request for a full one) happened, on the engine clock.';
COMMENT ON COLUMN mv_ops.key_progress.full_pending IS
  'The next refresh must be full (never refreshed since made keyed, or a rebuild asked for it). The row stays meanwhile, so no concurrent refresh prunes journal rows this aggregate''s full refresh has not seen.';
REVOKE ALL ON mv_ops.key_progress FROM PUBLIC;
-- No grant: engine state.

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
  body text;
BEGIN
  SELECT c.relkind, c.relispartition, n.nspname, c.relname INTO rel
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = source;
  IF rel.relkind IS DISTINCT FROM 'r' OR rel.relispartition THEN
    RAISE EXCEPTION '% is not a plain table: keys are tracked on tables (not partitions or views)', source USING ERRCODE = '42809';
  END IF;
  src := format('%I.%I', rel.nspname, rel.relname);
  IF key_column IS NOT NULL THEN
    SELECT a.atttypid::regtype INTO col_type FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = source AND a.attname = key_column AND a.attnum > 0 AND NOT a.attisdropped;
    IF col_type IS DISTINCT FROM 'date'::regtype THEN
      RAISE EXCEPTION 'key column %.% is %, not a date', src, key_column, COALESCE(col_type::text, 'missing') USING ERRCODE = '42804';
    END IF;
    -- Static SQL per table (a generic trigger would need EXECUTE, re-planned on every POS statement).
    body := format($b$
      IF TG_OP = 'INSERT' THEN
        INSERT INTO mv_ops.changed_key (source, key) SELECT DISTINCT %1$L, n.%2$I FROM mv_ops_new n ON CONFLICT DO NOTHING;
      ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO mv_ops.changed_key (source, key)
        SELECT %1$L, k FROM (SELECT n.%2$I FROM mv_ops_new n UNION SELECT o.%2$I FROM mv_ops_old o) u(k) ON CONFLICT DO NOTHING;
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO mv_ops.changed_key (source, key) SELECT DISTINCT %1$L, o.%2$I FROM mv_ops_old o ON CONFLICT DO NOTHING;
      ELSE
        INSERT INTO mv_ops.changed_key (source, key) VALUES (%1$L, '-infinity') ON CONFLICT DO NOTHING;
      END IF;$b$, src, key_column);
  ELSE
    body := format($b$
      INSERT INTO mv_ops.changed_key (source, key) VALUES (%1$L, '-infinity') ON CONFLICT DO NOTHING;$b$, src);
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
END
$$;
COMMENT ON FUNCTION mv_ops.track_keys(regclass, name) IS
  'Journals the business dates (key_column, a date) that every INSERT, UPDATE (old and new dates), DELETE and TRUNCATE (every key) of a table touches, with four statement triggers mv_ops_track_keys_* using transition tables: one journal row per date and writing transaction. key_column NULL: any change means every key (for small tables such as capacities). Idempotent.';
REVOKE ALL ON FUNCTION mv_ops.track_keys(regclass, name) FROM PUBLIC;
-- No grant: installing triggers is the owner's (the migrations').

CREATE OR REPLACE FUNCTION mv_ops.key_tracked(source text)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT count(*) = 4 FROM pg_catalog.pg_trigger g
  WHERE g.tgrelid = pg_catalog.to_regclass(source) AND g.tgname LIKE 'mv\_ops\_track\_keys\_%' AND NOT g.tgisinternal
$$;
COMMENT ON FUNCTION mv_ops.key_tracked(text) IS 'Whether a table has all four key-journal triggers of mv_ops.track_keys.';
REVOKE ALL ON FUNCTION mv_ops.key_tracked(text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION mv_ops.make_keyed(target regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  m mv_ops.managed_view;
  untracked text;
BEGIN
  SELECT * INTO m FROM mv_ops.managed_view v WHERE mv_ops.view_oid(v) = target;
  IF m.kind IS DISTINCT FROM 'aggregate' THEN
    RAISE EXCEPTION '% is not a registered aggregate', target USING ERRCODE = '42809',
      HINT = 'Register it with mv_ops.register_aggregate() first: a materialized view is always refreshed whole.';
  END IF;
  SELECT string_agg(s, ', ' ORDER BY s) INTO untracked FROM unnest(m.declared_sources) s WHERE NOT mv_ops.key_tracked(s);
  IF untracked IS NOT NULL THEN
    RAISE EXCEPTION 'sources of % have no key journal: %', target, untracked USING ERRCODE = '55000',
      HINT = 'Call mv_ops.track_keys(source, key_column) for each: an incremental refresh must see every change of every source.';
  END IF;
  UPDATE mv_ops.managed_view v SET keyed = true WHERE v.view_id = m.view_id;
  -- From now on the journal keeps what this aggregate has not consumed; its first refresh is full.
  INSERT INTO mv_ops.key_progress (view_id, consumed, consumed_at, full_pending)
  VALUES (m.view_id, pg_catalog.pg_current_snapshot(), mv_ops.clock(), true)
  ON CONFLICT (view_id) DO UPDATE SET full_pending = true;
END
$$;
COMMENT ON FUNCTION mv_ops.make_keyed(regclass) IS
  'Makes a registered aggregate keyed: its scheduled and cascaded refreshes are incremental, handed the changed dates of each source (mv_ops.refresh_keys). Refuses unless every declared source is key-tracked.';
REVOKE ALL ON FUNCTION mv_ops.make_keyed(regclass) FROM PUBLIC;

CREATE OR REPLACE FUNCTION mv_ops.refresh_keys(source regclass)
RETURNS date[]
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  handed jsonb := NULLIF(pg_catalog.current_setting('mv_ops.refresh_keys', true), '')::jsonb;
  name text := (SELECT format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = source);
BEGIN
  IF handed IS NULL THEN
    RETURN NULL;
  END IF;
  IF NOT handed ? name THEN
    RAISE EXCEPTION '% is not a declared source of the aggregate being refreshed', source USING ERRCODE = '22023';
  END IF;
  RETURN ARRAY(SELECT jsonb_array_elements_text(handed -> name)::date ORDER BY 1);
END
$$;
COMMENT ON FUNCTION mv_ops.refresh_keys(regclass) IS
  'For a keyed aggregate''s routine: the dates of source that changed since its last refresh (sorted, possibly empty); NULL when this refresh is full (recompute everything).';
REVOKE ALL ON FUNCTION mv_ops.refresh_keys(regclass) FROM PUBLIC;

CREATE OR REPLACE FUNCTION mv_ops.apply_rows(target regclass, key_column name, fresh regclass, keys date[], full_refresh boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  gone bigint;
  added bigint;
  cols text;
BEGIN
  SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) INTO cols
  FROM pg_catalog.pg_attribute a WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped;
  IF full_refresh THEN
    -- Every key the table holds too: a key with no rows any more must lose its rows.
    EXECUTE format('SELECT ARRAY(SELECT DISTINCT k FROM (SELECT %I FROM %s UNION ALL SELECT unnest(%L::date[])) u(k) WHERE k IS NOT NULL ORDER BY 1)',
                   key_column, target, keys) INTO keys;
  END IF;
  keys := COALESCE(keys, '{}');
  -- Only rows that differ are written: unchanged rows stay (no bloat), and the table's own key journal
  -- (when it feeds other aggregates) records only the dates that really changed. Rows compare as text,
  -- which works for json columns too (json has no equality operator).
  EXECUTE format('DELETE FROM %1$s t WHERE t.%2$I = ANY(%3$L::date[]) AND NOT EXISTS (SELECT 1 FROM %4$s f WHERE f.%2$I = t.%2$I AND f::text = t::text)',
                 target, key_column, keys, fresh);
  GET DIAGNOSTICS gone = ROW_COUNT;
  -- The target side restricted to the keys (an index range): otherwise the anti join hashes the whole table.
  EXECUTE format('INSERT INTO %1$s (%2$s) SELECT %2$s FROM %4$s f WHERE NOT EXISTS (SELECT 1 FROM %1$s t WHERE t.%3$I = ANY(%5$L::date[]) AND t.%3$I = f.%3$I AND t::text = f::text)',
                 target, cols, key_column, fresh, keys);
  GET DIAGNOSTICS added = ROW_COUNT;
  -- How many rows the table gained, for the log's rows_after without counting the whole table.
  PERFORM pg_catalog.set_config('mv_ops.row_delta',
    (COALESCE(NULLIF(pg_catalog.current_setting('mv_ops.row_delta', true), '')::bigint, 0) + added - gone)::text, true);
  PERFORM pg_catalog.set_config('mv_ops.recomputed_keys',
    (COALESCE(NULLIF(pg_catalog.current_setting('mv_ops.recomputed_keys', true), '')::int, 0) + cardinality(keys))::text, true);
  RETURN gone + added;
END
$$;
COMMENT ON FUNCTION mv_ops.apply_rows(regclass, name, regclass, date[], boolean) IS
  'Makes target''s rows for keys equal to the rows of fresh (a table with target''s columns, holding rows for those keys only), writing only the rows that differ; full_refresh: keys are every key that exists now, and keys only the table still holds lose their rows. Adds the number of keys to mv_ops.recomputed_keys (logged as key_count). Returns rows written.';
REVOKE ALL ON FUNCTION mv_ops.apply_rows(regclass, name, regclass, date[], boolean) FROM PUBLIC;
-- No grant: aggregate routines (owner) call it.

CREATE OR REPLACE FUNCTION mv_ops.apply_keyed(target regclass, key_column name, rows_of regproc, keys date[], full_refresh boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  written bigint;
BEGIN
  -- Dropped below (and on commit): a second call in the same transaction starts clean.
  EXECUTE format('CREATE TEMP TABLE mv_ops_fresh ON COMMIT DROP AS SELECT * FROM %s(%L::date[])', rows_of, COALESCE(keys, '{}'));
  -- A fresh temp table has no statistics: without them the comparisons below are planned as if it were large.
  ANALYZE pg_temp.mv_ops_fresh;
  written := mv_ops.apply_rows(target, key_column, 'pg_temp.mv_ops_fresh'::regclass, keys, full_refresh);
  DROP TABLE pg_temp.mv_ops_fresh;
  RETURN written;
END
$$;
COMMENT ON FUNCTION mv_ops.apply_keyed(regclass, name, regproc, date[], boolean) IS
  'mv_ops.apply_rows with the fresh rows computed once by rows_of(keys), a function of date[] returning target''s rows for those keys.';
REVOKE ALL ON FUNCTION mv_ops.apply_keyed(regclass, name, regproc, date[], boolean) FROM PUBLIC;
-- No grant: aggregate routines (owner) call it.

CREATE OR REPLACE FUNCTION mv_ops.prune_changed_keys(sources text[])
RETURNS bigint
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
  -- A journal row can go once every keyed aggregate reading its table has consumed it; an aggregate with no
  -- progress row is refreshed in full next, so it needs none of them.
  WITH gone AS (
    DELETE FROM mv_ops.changed_key c
    WHERE c.source = ANY(sources)
      AND NOT EXISTS (SELECT 1 FROM mv_ops.managed_view m JOIN mv_ops.key_progress p USING (view_id)
                      WHERE m.keyed AND c.source = ANY(m.declared_sources)
                        AND NOT pg_catalog.pg_visible_in_snapshot(c.xid, p.consumed))
    RETURNING 1)
  SELECT count(*) FROM gone
$$;
COMMENT ON FUNCTION mv_ops.prune_changed_keys(text[]) IS 'Deletes the journaled keys of these tables that every keyed aggregate reading them has consumed.';
REVOKE ALL ON FUNCTION mv_ops.prune_changed_keys(text[]) FROM PUBLIC;

-- As in 0074, with keyed aggregates handed their changed keys and every attempt's refresh_type logged.
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
      snap := pg_catalog.pg_current_snapshot();
      SELECT p.consumed INTO prev FROM mv_ops.key_progress p WHERE p.view_id = step.view_id AND NOT p.full_pending;
      -- Full when never refreshed (or a rebuild asked), and when a declared source has no key journal (it was
      -- declared again since make_keyed): its changes could not be handed over.
      IF prev IS NULL OR EXISTS (SELECT 1 FROM unnest(step.declared_sources) s WHERE NOT mv_ops.key_tracked(s)) THEN
        mode := 'full';
      END IF;
      IF mode = 'incremental' THEN
        SELECT jsonb_object_agg(s.src, COALESCE(k.keys, '[]'::jsonb)) INTO handed
        FROM unnest(step.declared_sources) s(src)
        LEFT JOIN LATERAL (
          SELECT jsonb_agg(DISTINCT c.key ORDER BY c.key) AS keys FROM mv_ops.changed_key c
          WHERE c.source = s.src AND pg_catalog.pg_visible_in_snapshot(c.xid, snap)
            AND NOT pg_catalog.pg_visible_in_snapshot(c.xid, prev)
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
        PERFORM mv_ops.prune_changed_keys(step.declared_sources);
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
  'As in 0074, plus keyed aggregates: an incremental refresh hands the routine, in mv_ops.refresh_keys (read with mv_ops.refresh_keys(source)), the dates each declared source journaled in mv_ops.changed_key since its previous refresh''s snapshot (mv_ops.key_progress), and logs refresh_type and key_count (the keys the routine recomputed, as counted by mv_ops.apply_keyed, else the changed dates); full when never refreshed, asked for, scheduled, or a source was truncated. Every attempt logs refresh_type (a materialized view: full). Refreshes the view of one running attempt under its advisory lock, in the view''s registered time zone, and records the outcome; a failure rolls back only this view. A materialized view: REFRESH, plain when never populated, else CONCURRENTLY. An aggregate: its registered routine, resolved by name and refused unless SECURITY DEFINER or owned by the registry owner, called with mv_ops.refresh_mode (full | incremental), mv_ops.refresh_log_id and mv_ops.refresh_trigger set for the transaction; rows_after is the table''s row count.';

-- The POS write path pays for every statement trigger: the change journal's clock is read inline (what
-- mv_ops.now() computes) instead of through a SQL function planned again on every statement.
CREATE OR REPLACE FUNCTION mv_ops.note_source_change()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO mv_ops.source_change (source_oid, xid, changed_at)
  VALUES (COALESCE(pg_catalog.pg_partition_root(TG_RELID)::oid, TG_RELID), pg_catalog.pg_current_xact_id(),
          pg_catalog.now() + COALESCE(NULLIF(pg_catalog.current_setting('mv_ops.clock_offset', true), '')::interval, interval '0'))
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION mv_ops.note_source_change() IS
  'Statement trigger on base tables of managed views: journals the writing transaction, stamped with mv_ops.now() (computed inline: it runs on every write).';
