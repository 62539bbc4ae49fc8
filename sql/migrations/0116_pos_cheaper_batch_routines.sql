-- 0116: a 15-minute batch's refresh of the sales aggregates costs less in pos.*: customer analytics looks up a few
-- days' customer ids by index instead of hashing every customer ever seen, and the visits routine probes only the
-- customers whose changed days themselves changed (a batch's new customers and corrected lines), not everyone
-- whose first visit falls on a changed day. Same rows as before, for every set of keys.
-- Up Migration

-- A batch's two or three days have a few thousand visits, and the hash join of 0102 read and hashed all of
-- pos.customer (every customer ever seen, ~225K at scale 100, spilling to disk) to find their ids: ~70 ms of a
-- ~75 ms step. A few days (at most a week) now look each visit's customer up by the unique customer_key index;
-- more days (a full refresh) keep the hash join, which is then the cheaper plan. The keys are literals when the
-- function is inlined (mv_ops.apply_keyed), so the branch not taken is folded away at plan time. Both branches
-- produce the same rows (every visit's customer has an id: the visits routine assigns them first).
CREATE OR REPLACE FUNCTION pos.customer_analytics_rows(days date[])
RETURNS SETOF pos.mv_customer_analytics
LANGUAGE sql STABLE
AS $$
  SELECT v.date, count(*), count(*) FILTER (WHERE v.is_first_visit), count(*) FILTER (WHERE NOT v.is_first_visit),
         sum(v.transactions), sum(v.revenue), sum(v.sim_usage), round(avg(v.revenue), 2), round(avg(v.transactions), 2),
         round(count(*) FILTER (WHERE NOT v.is_first_visit)::numeric / count(*) * 100, 2),
         array_agg(v.customer_id ORDER BY v.customer_id)
  FROM (
    SELECT v.date, v.is_first_visit, v.transactions, v.revenue, v.sim_usage, c.customer_id
    FROM pos.mv_customer_daily_visits v
    JOIN pos.customer c ON c.customer_key = v.customer_key
    WHERE v.date = ANY (days) AND cardinality(days) > 7
    UNION ALL
    -- OFFSET 0 keeps the lookup a subquery per visit (an index probe), so the planner cannot turn it back into the
    -- join above.
    SELECT v.date, v.is_first_visit, v.transactions, v.revenue, v.sim_usage, c.customer_id
    FROM pos.mv_customer_daily_visits v
    CROSS JOIN LATERAL (SELECT c.customer_id FROM pos.customer c WHERE c.customer_key = v.customer_key OFFSET 0) c
    WHERE v.date = ANY (days) AND cardinality(days) <= 7
  ) v
  GROUP BY v.date
$$;
COMMENT ON FUNCTION pos.customer_analytics_rows(date[]) IS
  'pos.mv_customer_analytics''s rows for these dates, from pos.mv_customer_daily_visits, with stable ids from pos.customer: for at most a week of dates each visit''s id is looked up by index, for more (a full refresh) pos.customer is joined by hash.';

-- As in 0108, with one more kind of customer spared the probe of their other days: a customer who bought on
-- exactly the changed days they had rows on before ("unmoved": a batch's returning customers of today, everyone on
-- a corrected day whose line was not theirs) has the same first visit as before, so each of their rows keeps the
-- flag the row it replaces had, and no other day of theirs changes. Only the rest (customers new to a changed day
-- or gone from one, first visits moved earlier) are probed: a batch's few dozen instead of every first visitor of
-- today and of the corrected day (~750 at scale 100).
-- The facts and the rows they replace are paired once (a full join on date and customer); a full refresh replaces
-- every row and uses nothing of the old ones, so it pairs none.
CREATE OR REPLACE FUNCTION pos.refresh_customer_daily_visits()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  full_refresh boolean := pos.full_refresh();
  days date[];
BEGIN
  days := CASE WHEN full_refresh THEN ARRAY(SELECT DISTINCT s.date FROM pos.lengolf_sales s
                                            UNION SELECT v.date FROM pos.mv_customer_daily_visits v ORDER BY 1)
               ELSE pos.changed_days('pos.lengolf_sales') END;
  -- Nothing changed (a quiet quarter-hour): the temp tables would cost more than the answer.
  IF NOT full_refresh AND cardinality(days) = 0 THEN
    RETURN;
  END IF;
  -- Per (date, customer) of the changed days: the new facts (bought), and the row being replaced (replaced) with
  -- its flag (was_first).
  CREATE TEMP TABLE visit_facts ON COMMIT DROP AS
  SELECT COALESCE(f.date, o.date) AS date, COALESCE(f.customer_key, o.customer_key) AS customer_key, f.transactions,
         f.revenue, f.line_items, f.sim_usage, f.date IS NOT NULL AS bought, o.date IS NOT NULL AS replaced,
         o.is_first_visit AS was_first
  FROM pos.customer_visit_facts(days) f
  FULL JOIN (SELECT v.date, v.customer_key, v.is_first_visit FROM pos.mv_customer_daily_visits v
             WHERE NOT full_refresh AND v.date = ANY (days)) o ON o.date = f.date AND o.customer_key = f.customer_key;
  -- Statistics for the temp tables, so a batch's few hundred customers are joined by index, not by a scan of
  -- every visit.
  ANALYZE pg_temp.visit_facts;
  -- Per customer of the changed days (before or after the change): the first new day and what the rows being
  -- replaced say about the first visit. A purchase, void or correction on a changed day can move the first visit
  -- of anyone who bought then (before or after the change), turning a later "new" day into a returning one or
  -- back. A settled customer's first visit is before every changed day and unchanged; an unmoved customer's is
  -- unchanged (same days as before): for both, first_date and old_first are not it, and unused.
  CREATE TEMP TABLE visit_firsts ON COMMIT DROP AS
  SELECT c.customer_key, c.settled, c.unmoved, least(c.fact_first, o.first_date) AS first_date, o.first_date AS other_first,
         least(c.replaced_first, o.first_date) AS old_first
  FROM (SELECT f.customer_key, min(f.date) FILTER (WHERE f.bought) AS fact_first,
               min(f.date) FILTER (WHERE f.replaced) AS replaced_first,
               NOT full_refresh AND bool_or(f.replaced) AND NOT bool_or(f.was_first)
                 AND (min(f.date) FILTER (WHERE f.bought) IS NULL
                      OR min(f.date) FILTER (WHERE f.bought) >= min(f.date) FILTER (WHERE f.replaced)) AS settled,
               NOT full_refresh AND bool_and(f.bought AND f.replaced) AS unmoved
        FROM visit_facts f GROUP BY 1) c
  LEFT JOIN LATERAL (SELECT min(v.date) AS first_date FROM pos.mv_customer_daily_visits v
                     WHERE NOT c.settled AND NOT c.unmoved AND v.customer_key = c.customer_key AND v.date <> ALL (days)) o ON true;
  ANALYZE pg_temp.visit_firsts;
  -- New customers get their id now, once: ids are never reassigned, so the day arrays never renumber.
  INSERT INTO pos.customer (customer_key, first_seen)
  SELECT fi.customer_key, fi.first_date FROM visit_firsts fi
  WHERE fi.first_date IS NOT NULL AND (full_refresh OR fi.old_first IS NULL)
  ORDER BY 1
  ON CONFLICT (customer_key) DO NOTHING;
  CREATE TEMP TABLE visit_rows ON COMMIT DROP AS
  SELECT f.date, f.customer_key, f.transactions, f.revenue, f.line_items, f.sim_usage,
         CASE WHEN fi.unmoved THEN f.was_first ELSE NOT fi.settled AND f.date = fi.first_date END AS is_first_visit
  FROM visit_facts f JOIN visit_firsts fi USING (customer_key)
  WHERE f.bought;
  ANALYZE pg_temp.visit_rows;
  PERFORM mv_ops.apply_rows('pos.mv_customer_daily_visits', 'date', 'pg_temp.visit_rows', days, full_refresh);
  -- Days that did not change themselves but whose first-visit flag did: one row per customer whose first visit
  -- moved, by the unique (date, customer_key) index.
  UPDATE pos.mv_customer_daily_visits v SET is_first_visit = (v.date = fi.first_date)
  FROM visit_firsts fi
  WHERE NOT fi.settled AND NOT fi.unmoved AND fi.first_date IS DISTINCT FROM fi.old_first AND v.date = fi.other_first
    AND v.customer_key = fi.customer_key AND v.is_first_visit IS DISTINCT FROM (v.date = fi.first_date);
  DROP TABLE pg_temp.visit_facts, pg_temp.visit_firsts, pg_temp.visit_rows;
END
$$;
COMMENT ON FUNCTION pos.refresh_customer_daily_visits() IS
  'The refresh routine of pos.mv_customer_daily_visits (registered in mv_ops, which calls it as the owner): full when mv_ops.refresh_mode is full, else only the dates pos.lengolf_sales changed (mv_ops.refresh_keys), plus the first-visit flag of each customer of those dates whose first visit moved (on their earliest other day); writes only rows that differ (mv_ops.apply_rows). Incremental refreshes rely on the table being right before them (as every refresh leaves it): a customer who bought on the same changed days as before keeps their flags, one whose rows there were all returning keeps returning, and only the others are probed.';
