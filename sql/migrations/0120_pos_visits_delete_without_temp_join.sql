-- 0120: the incremental visits refresh deletes the rows it replaces without joining its two temp tables to each
-- other. Neither is analyzed, so the planner could not tell how their rows match: it guessed one pair, chose a
-- nested loop over both, and a 15-minute batch's refresh at scale 100 took 1.2-1.7 s in that step instead of ~50 ms
-- (the benchmark's stalls of stop 19). Its temp table of rows to write keeps only those (a batch at scale 100: a
-- few dozen of ~2,800), not every visit of the changed days. Same rows written as before.
-- Up Migration

CREATE OR REPLACE FUNCTION pos.refresh_customer_daily_visits()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  full_refresh boolean := pos.full_refresh();
  days date[];
  gone bigint;
  added bigint;
BEGIN
  days := CASE WHEN full_refresh THEN ARRAY(SELECT DISTINCT s.date FROM pos.lengolf_sales s
                                            UNION SELECT v.date FROM pos.mv_customer_daily_visits v ORDER BY 1)
               ELSE pos.changed_days('pos.lengolf_sales') END;
  -- Nothing changed (a quiet quarter-hour): the temp tables would cost more than the answer.
  IF NOT full_refresh AND cardinality(days) = 0 THEN
    RETURN;
  END IF;
  IF full_refresh THEN
    CREATE TEMP TABLE visit_facts ON COMMIT DROP AS
    SELECT f.*, lag(f.date) OVER (PARTITION BY f.customer_key ORDER BY f.date) AS previous_visit
    FROM pos.customer_visit_facts(days) f;
    -- New customers get their id now, once: ids are never reassigned, so the day arrays never renumber.
    INSERT INTO pos.customer (customer_key, first_seen)
    SELECT f.customer_key, f.date FROM visit_facts f WHERE f.previous_visit IS NULL ORDER BY 1
    ON CONFLICT (customer_key) DO NOTHING;
    CREATE TEMP TABLE visit_rows ON COMMIT DROP AS
    SELECT f.date, f.customer_key, f.transactions, f.revenue, f.line_items, f.sim_usage, f.previous_visit IS NULL AS is_first_visit,
           c.customer_id, f.previous_visit
    FROM visit_facts f JOIN pos.customer c ON c.customer_key = f.customer_key
    -- Written in date order, a day's visits share pages: a batch's refresh reads a corrected day's ~1,000 visits
    -- from ~10 pages, not one page each (the window above leaves them in customer order).
    ORDER BY f.date, f.customer_key;
    ANALYZE pg_temp.visit_rows;
    PERFORM mv_ops.apply_rows('pos.mv_customer_daily_visits', 'date', 'pg_temp.visit_rows', days, true);
    DROP TABLE pg_temp.visit_facts, pg_temp.visit_rows;
    RETURN;
  END IF;
  CREATE TEMP TABLE visit_facts ON COMMIT DROP AS
  SELECT COALESCE(f.date, o.date) AS date, COALESCE(f.customer_key, o.customer_key) AS customer_key, f.transactions,
         f.revenue, f.line_items, f.sim_usage, f.date IS NOT NULL AS bought, o.date IS NOT NULL AS replaced,
         o.customer_id AS old_id, o.previous_visit AS was_previous,
         o.transactions AS was_transactions, o.revenue::text AS was_revenue, o.line_items AS was_line_items,
         o.sim_usage AS was_sim_usage, o.is_first_visit AS was_first
  FROM pos.customer_visit_facts(days) f
  FULL JOIN (SELECT v.date, v.customer_key, v.transactions, v.revenue, v.line_items, v.sim_usage, v.is_first_visit,
                    v.customer_id, v.previous_visit
             FROM pos.mv_customer_daily_visits v WHERE v.date = ANY (days)) o
    ON o.date = f.date AND o.customer_key = f.customer_key;
  -- No ANALYZE of visit_facts or visit_rows (~5 ms each for a batch): the planner sizes a temp table never analyzed
  -- by its pages (at least ten), about right for visit_facts, too many for visit_rows' few dozen rows, which are
  -- only deleted by key and inserted; only the joins by customer below need visit_moved's statistics. No statement
  -- joins visit_facts to visit_rows: how their rows match cannot be estimated (the DELETE below says why).
  -- The moved customers: the changed days they bought on, and those they came to or went from.
  CREATE TEMP TABLE visit_moved ON COMMIT DROP AS
  SELECT f.customer_key, COALESCE(array_agg(f.date) FILTER (WHERE f.bought), '{}') AS bought_days,
         array_agg(f.date) FILTER (WHERE f.bought <> f.replaced) AS flipped_days
  FROM visit_facts f
  GROUP BY f.customer_key
  HAVING bool_or(f.bought <> f.replaced);
  ANALYZE pg_temp.visit_moved;
  INSERT INTO pos.customer (customer_key, first_seen)
  SELECT f.customer_key, min(f.date) FROM visit_facts f
  WHERE f.bought AND f.old_id IS NULL
    AND NOT EXISTS (SELECT 1 FROM pos.customer c WHERE c.customer_key = f.customer_key)
  GROUP BY 1 ORDER BY 1
  ON CONFLICT (customer_key) DO NOTHING;
  -- The rows to write: those a full refresh would write differently (every column compared as it would write it,
  -- revenue as text: 10.0 and 10.00 are equal numbers), so a row is left alone exactly when mv_ops.apply_rows would
  -- leave it. Most of a changed day's visits are unchanged; only the others are kept.
  CREATE TEMP TABLE visit_rows ON COMMIT DROP AS
  SELECT f.date, f.customer_key, f.transactions, f.revenue, f.line_items, f.sim_usage, p.previous_visit IS NULL AS is_first_visit,
         i.customer_id, p.previous_visit
  FROM visit_facts f
  LEFT JOIN visit_moved m ON m.customer_key = f.customer_key
  CROSS JOIN LATERAL (SELECT CASE WHEN m.customer_key IS NULL THEN f.was_previous
                                  ELSE pos.previous_visit_before(f.customer_key, f.date, days, m.bought_days) END) p(previous_visit)
  CROSS JOIN LATERAL (SELECT COALESCE(f.old_id, (SELECT c.customer_id FROM pos.customer c
                                                 WHERE c.customer_key = f.customer_key))) i(customer_id)
  WHERE f.bought
    AND (NOT f.replaced
         OR ROW(f.transactions, f.revenue::text, f.line_items, f.sim_usage, p.previous_visit IS NULL, i.customer_id,
                p.previous_visit)
            IS DISTINCT FROM ROW(f.was_transactions, f.was_revenue, f.was_line_items, f.was_sim_usage, f.was_first,
                                 f.old_id, f.was_previous));
  -- Only the rows that differ are written: the facts were paired with the rows they replace, so no row of the
  -- changed days needs to be compared again as text (mv_ops.apply_rows), a third of this step for a batch.
  -- The rows to delete are the visits gone and the rows to write (a new row's key matches nothing), taken from each
  -- temp table on its own. Joined to each other (0119), the planner guessed one matching pair for the few thousand
  -- there are, and the nested loop it chose compared every row of one with every row of the other: 8 million
  -- comparisons, 1.2 to 1.7 s of a 15-minute batch's refresh at scale 100 instead of ~3 ms.
  DELETE FROM pos.mv_customer_daily_visits v
  USING (SELECT f.date, f.customer_key FROM visit_facts f WHERE f.replaced AND NOT f.bought
         UNION ALL
         SELECT r.date, r.customer_key FROM visit_rows r) d
  WHERE v.date = ANY (days) AND v.date = d.date AND v.customer_key = d.customer_key;
  GET DIAGNOSTICS gone = ROW_COUNT;
  INSERT INTO pos.mv_customer_daily_visits (date, customer_key, transactions, revenue, line_items, sim_usage,
                                            is_first_visit, customer_id, previous_visit)
  SELECT r.date, r.customer_key, r.transactions, r.revenue, r.line_items, r.sim_usage, r.is_first_visit, r.customer_id,
         r.previous_visit
  FROM visit_rows r
  ORDER BY r.date, r.customer_key;
  GET DIAGNOSTICS added = ROW_COUNT;
  PERFORM mv_ops.note_applied(cardinality(days), added - gone);
  UPDATE pos.mv_customer_daily_visits v SET previous_visit = n.previous_visit, is_first_visit = n.previous_visit IS NULL
  FROM (SELECT x.customer_key, x.next_day, pos.previous_visit_before(x.customer_key, x.next_day, days, x.bought_days) AS previous_visit
        FROM (SELECT DISTINCT m.customer_key, m.bought_days,
                     (SELECT min(w.date) FROM pos.mv_customer_daily_visits w
                      WHERE w.customer_key = m.customer_key AND w.date > f.day AND w.date <> ALL (days)) AS next_day
              FROM visit_moved m CROSS JOIN unnest(m.flipped_days) f(day)) x
        WHERE x.next_day IS NOT NULL) n
  WHERE v.date = n.next_day AND v.customer_key = n.customer_key AND v.previous_visit IS DISTINCT FROM n.previous_visit;
  DROP TABLE pg_temp.visit_facts, pg_temp.visit_moved, pg_temp.visit_rows;
END
$$;
COMMENT ON FUNCTION pos.refresh_customer_daily_visits() IS
  'The refresh routine of pos.mv_customer_daily_visits (registered in mv_ops, which calls it as the owner): full when mv_ops.refresh_mode is full, else only the dates pos.lengolf_sales changed (mv_ops.refresh_keys), plus the previous visit (and first-visit flag) of each moved customer''s next visit on an unchanged day; writes only rows that differ (a full refresh through mv_ops.apply_rows, an incremental one from the facts paired with the rows they replace). Incremental refreshes rely on the table being right before them (as every refresh leaves it): a customer who bought on the same changed days as before keeps each row''s previous visit, and only the others are probed.';
