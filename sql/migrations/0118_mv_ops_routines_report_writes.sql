-- 0118: a refresh routine that writes its rows itself (it knows which of them changed, so it need not compare them
-- all as mv_ops.apply_rows does) reports what it did through mv_ops.note_applied, the bookkeeping apply_rows and
-- apply_keyed now share.
-- Up Migration

CREATE FUNCTION mv_ops.note_applied(recomputed_keys integer, row_delta bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- How many rows the table gained, for the log's rows_after without counting the whole table.
  PERFORM pg_catalog.set_config('mv_ops.row_delta',
    (COALESCE(NULLIF(pg_catalog.current_setting('mv_ops.row_delta', true), '')::bigint, 0) + row_delta)::text, true);
  PERFORM pg_catalog.set_config('mv_ops.recomputed_keys',
    (COALESCE(NULLIF(pg_catalog.current_setting('mv_ops.recomputed_keys', true), '')::int, 0) + recomputed_keys)::text, true);
END
$$;
COMMENT ON FUNCTION mv_ops.note_applied(integer, bigint) IS
  'Adds to the refresh attempt in progress what a routine wrote: keys recomputed (logged as key_count) and rows gained (for rows_after). mv_ops.apply_rows calls it; a routine that writes its rows itself calls it instead.';
REVOKE ALL ON FUNCTION mv_ops.note_applied(integer, bigint) FROM PUBLIC;

CREATE OR REPLACE FUNCTION mv_ops.apply_rows(target regclass, key_column name, fresh regclass, keys date[],
                                             full_refresh boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $_$
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
  PERFORM mv_ops.note_applied(cardinality(keys), added - gone);
  RETURN gone + added;
END
$_$;

CREATE OR REPLACE FUNCTION mv_ops.apply_keyed(target regclass, key_column name, rows_of regproc, keys date[],
                                              full_refresh boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  written bigint;
BEGIN
  IF NOT full_refresh AND COALESCE(cardinality(keys), 0) = 0 THEN
    -- What apply_rows would have counted: no key recomputed, no row gained.
    PERFORM mv_ops.note_applied(0, 0);
    RETURN 0;
  END IF;
  -- Dropped below (and on commit): a second call in the same transaction starts clean.
  EXECUTE format('CREATE TEMP TABLE mv_ops_fresh ON COMMIT DROP AS SELECT * FROM %s(%L::date[])', rows_of, COALESCE(keys, '{}'));
  -- A fresh temp table has no statistics: without them the comparisons below are planned as if it were large.
  ANALYZE pg_temp.mv_ops_fresh;
  written := mv_ops.apply_rows(target, key_column, 'pg_temp.mv_ops_fresh'::regclass, keys, full_refresh);
  DROP TABLE pg_temp.mv_ops_fresh;
  RETURN written;
END
$$;
