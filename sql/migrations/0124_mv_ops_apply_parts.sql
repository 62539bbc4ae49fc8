-- 0124: mv_ops.apply_parts, mv_ops.apply_array for a table keyed by a date and a part (the dashboard cache: a
-- reference date and a period). A changed day changes only some parts of the keys that hold it: of the ~30 reference
-- dates a day 200 days back feeds, its last-30-days period changes on all of them, its month-to-date period on those
-- up to its month's end, its last-7-days period on seven and its daily period on one. Recomputing and comparing only
-- those parts is about half the rows of recomputing every part of those dates. Both apply functions check their fresh
-- rows and list the target's columns through one function, mv_ops.fresh_row_columns.
-- Up Migration

CREATE FUNCTION mv_ops.fresh_row_columns(target regclass, fresh anyarray)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF pg_catalog.pg_typeof(fresh) IS DISTINCT FROM
     (SELECT t.typarray FROM pg_catalog.pg_class c JOIN pg_catalog.pg_type t ON t.oid = c.reltype WHERE c.oid = target)::regtype THEN
    RAISE EXCEPTION 'the fresh rows (%) are not rows of % (an array of its row type)', pg_catalog.pg_typeof(fresh), target
      USING ERRCODE = '42804';
  END IF;
  RETURN (SELECT string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum)
          FROM pg_catalog.pg_attribute a WHERE a.attrelid = target AND a.attnum > 0 AND NOT a.attisdropped);
END
$$;
COMMENT ON FUNCTION mv_ops.fresh_row_columns(regclass, anyarray) IS
  'The column list of target (quoted, in order), for an INSERT of fresh rows; refuses (42804) fresh unless it is an array of target''s row type. For mv_ops.apply_array and mv_ops.apply_parts.';
REVOKE ALL ON FUNCTION mv_ops.fresh_row_columns(regclass, anyarray) FROM PUBLIC;

CREATE FUNCTION mv_ops.apply_parts(target regclass, key_column name, part_column name, keys date[], parts text[],
                                   fresh anyarray)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $_$
DECLARE
  gone bigint;
  added bigint;
  cols text := mv_ops.fresh_row_columns(target, fresh);
BEGIN
  IF COALESCE(cardinality(keys), 0) <> COALESCE(cardinality(parts), 0) THEN
    RAISE EXCEPTION 'keys (%) and parts (%) must pair up one to one', COALESCE(cardinality(keys), 0),
      COALESCE(cardinality(parts), 0) USING ERRCODE = '22023';
  END IF;
  keys := COALESCE(keys, '{}');
  parts := COALESCE(parts, '{}');
  -- As mv_ops.apply_array: only rows that differ, compared as text, are written; here only rows of the listed
  -- (key, part) pairs are touched, and a fresh row of another pair is ignored rather than written twice. A row's
  -- text is never NULL and holds its key and part, so the DELETE's NOT IN is "no identical fresh row", and runs as
  -- one hashed set of texts (a correlated NOT EXISTS over the array would unnest it again for every row); the
  -- INSERT probes the target's rows of the same key and part.
  EXECUTE format('DELETE FROM %1$s t USING (SELECT DISTINCT k, p FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) u(k, p)) w '
                 'WHERE t.%2$I = ANY($1) AND t.%2$I = w.k AND t.%3$I::text = w.p '
                 'AND t::text NOT IN (SELECT f::text FROM pg_catalog.unnest($3) f)',
                 target, key_column, part_column) USING keys, parts, fresh;
  GET DIAGNOSTICS gone = ROW_COUNT;
  EXECUTE format('INSERT INTO %1$s (%2$s) SELECT %2$s FROM pg_catalog.unnest($3) f '
                 'WHERE (f.%3$I, f.%4$I::text) IN (SELECT k, p FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) u(k, p)) '
                 'AND NOT EXISTS (SELECT 1 FROM %1$s t WHERE t.%3$I = ANY($1) AND t.%3$I = f.%3$I AND t.%4$I = f.%4$I AND t::text = f::text)',
                 target, cols, key_column, part_column) USING keys, parts, fresh;
  GET DIAGNOSTICS added = ROW_COUNT;
  PERFORM mv_ops.note_applied((SELECT count(DISTINCT k)::int FROM pg_catalog.unnest(keys) k), added - gone);
  RETURN gone + added;
END
$_$;
COMMENT ON FUNCTION mv_ops.apply_parts(regclass, name, name, date[], text[], anyarray) IS
  'mv_ops.apply_array for a table keyed by a date and a part (part_column compared as text): makes target''s rows of the (keys[i], parts[i]) pairs equal to fresh''s rows of those pairs (an array of target''s row type), writing only the rows that differ; other parts of the same keys are left alone. Adds the number of distinct keys to mv_ops.recomputed_keys (logged as key_count). Returns rows written.';
REVOKE ALL ON FUNCTION mv_ops.apply_parts(regclass, name, name, date[], text[], anyarray) FROM PUBLIC;
-- No grant: refresh routines run as the registry owner (mv_ops.refresh_step calls them).

-- apply_array as in 0122, its check and column list from mv_ops.fresh_row_columns.
CREATE OR REPLACE FUNCTION mv_ops.apply_array(target regclass, key_column name, keys date[], fresh anyarray)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $_$
DECLARE
  gone bigint;
  added bigint;
  cols text := mv_ops.fresh_row_columns(target, fresh);
BEGIN
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

COMMENT ON FUNCTION mv_ops.note_applied(integer, bigint) IS
  'Adds to the refresh attempt in progress what a routine wrote: keys recomputed (logged as key_count) and rows gained (for rows_after). mv_ops.apply_rows, apply_array, apply_parts and apply_keyed (with no keys) call it; a routine that writes its rows itself, or finds nothing to recompute, calls it instead.';
