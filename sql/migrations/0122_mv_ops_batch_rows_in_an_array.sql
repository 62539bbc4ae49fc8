-- 0122: an incremental mv_ops.apply_keyed of up to 100 keys holds the fresh rows in an array for the comparison,
-- not in a temp table. A batch recomputes a handful of rows per aggregate; creating, analyzing and dropping a table
-- for them (catalog rows written and deleted, a file created and unlinked at commit) cost more than comparing
-- them, about 1.5 of the 3 ms such a call took. A full refresh, and an incremental one of more keys (an update
-- across the history), keep the analyzed temp table: their thousands of rows need statistics, and an array holds
-- at most 1 GB.
-- Up Migration

CREATE FUNCTION mv_ops.apply_array(target regclass, key_column name, keys date[], fresh anyarray)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $_$
DECLARE
  gone bigint;
  added bigint;
  cols text;
BEGIN
  IF pg_catalog.pg_typeof(fresh) IS DISTINCT FROM
     (SELECT t.typarray FROM pg_catalog.pg_class c JOIN pg_catalog.pg_type t ON t.oid = c.reltype WHERE c.oid = target)::regtype THEN
    RAISE EXCEPTION 'the fresh rows (%) are not rows of % (an array of its row type)', pg_catalog.pg_typeof(fresh), target
      USING ERRCODE = '42804';
  END IF;
  SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) INTO cols
  FROM pg_catalog.pg_attribute a WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped;
  keys := COALESCE(keys, '{}');
  -- As mv_ops.apply_rows: only rows that differ, compared as text, are written.
  EXECUTE format('DELETE FROM %1$s t WHERE t.%2$I = ANY($1) AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest($2) f WHERE f.%2$I = t.%2$I AND f::text = t::text)',
                 target, key_column) USING keys, fresh;
  GET DIAGNOSTICS gone = ROW_COUNT;
  EXECUTE format('INSERT INTO %1$s (%2$s) SELECT %2$s FROM pg_catalog.unnest($2) f WHERE NOT EXISTS (SELECT 1 FROM %1$s t WHERE t.%3$I = ANY($1) AND t.%3$I = f.%3$I AND t::text = f::text)',
                 target, cols, key_column) USING keys, fresh;
  GET DIAGNOSTICS added = ROW_COUNT;
  PERFORM mv_ops.note_applied(cardinality(keys), added - gone);
  RETURN gone + added;
END
$_$;
COMMENT ON FUNCTION mv_ops.apply_array(regclass, name, date[], anyarray) IS
  'mv_ops.apply_rows (incremental) with the fresh rows given as an array of target''s row type: makes target''s rows for keys equal to them, writing only the rows that differ. For the few rows of a batch, which a temp table would cost more to hold. Returns rows written.';
REVOKE ALL ON FUNCTION mv_ops.apply_array(regclass, name, date[], anyarray) FROM PUBLIC;

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
  IF NOT full_refresh AND cardinality(keys) <= 100 THEN
    -- The keys as literals, so the rows function is inlined and planned for them.
    EXECUTE format('SELECT mv_ops.apply_array($1, $2, $3, ARRAY(SELECT r FROM %s(%L::date[]) r))', rows_of, keys)
      INTO written USING target, key_column, keys;
    RETURN written;
  END IF;
  -- Dropped below (and on commit): a second call in the same transaction starts clean.
  EXECUTE format('CREATE TEMP TABLE mv_ops_fresh ON COMMIT DROP AS SELECT * FROM %s(%L::date[])', rows_of, COALESCE(keys, '{}'));
  -- A fresh temp table has no statistics: without them the plans of the comparisons below would not know how
  -- many rows share a key.
  ANALYZE pg_temp.mv_ops_fresh;
  written := mv_ops.apply_rows(target, key_column, 'pg_temp.mv_ops_fresh'::regclass, keys, full_refresh);
  DROP TABLE pg_temp.mv_ops_fresh;
  RETURN written;
END
$$;
COMMENT ON FUNCTION mv_ops.apply_keyed(regclass, name, regproc, date[], boolean) IS
  'mv_ops.apply_rows with the fresh rows computed once by rows_of(keys), a function of date[] returning target''s rows for those keys: held in an array (mv_ops.apply_array) for an incremental call of up to 100 keys, else in an analyzed temp table; an incremental call with no keys returns 0 at once.';
COMMENT ON FUNCTION mv_ops.note_applied(integer, bigint) IS
  'Adds to the refresh attempt in progress what a routine wrote: keys recomputed (logged as key_count) and rows gained (for rows_after). mv_ops.apply_rows, apply_array and apply_keyed (with no keys) call it; a routine that writes its rows itself calls it instead.';
