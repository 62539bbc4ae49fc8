-- 0119: each visit knows its customer's id and previous visit, and each day of customer analytics how many of its
-- customers had not bought in the k days before it. The dashboard cache's unique customers then add up stored
-- per-day counts instead of sorting every (customer, day) pair of the periods it recomputes (~80 of a 15-minute
-- batch's ~90 ms at scale 100), and customer analytics reads ids from the visits instead of probing pos.customer.
-- Same figures as before, for every set of keys.
-- Up Migration

ALTER TABLE pos.mv_customer_daily_visits ADD COLUMN customer_id integer, ADD COLUMN previous_visit date;
COMMENT ON COLUMN pos.mv_customer_daily_visits.customer_id IS
  'The customer''s stable id (pos.customer), copied here so readers of visits need no lookup.';
COMMENT ON COLUMN pos.mv_customer_daily_visits.previous_visit IS
  'The customer''s last visit before this one (NULL on their first: is_first_visit).';

ALTER TABLE pos.mv_customer_analytics ADD COLUMN not_seen_within integer[];
COMMENT ON COLUMN pos.mv_customer_analytics.not_seen_within IS
  'Element k (1 to 30): how many of the day''s customers had not bought in the k days before it. A period''s unique customers are the sum over its days of those not seen since the period began (all of its first day''s).';

-- Per day: the histogram of gaps since each customer's previous visit (capped at 31), then how many gaps exceed each
-- k. Grouping first keeps a full refresh at ~31 rows per day, not one row per visit and k.
CREATE FUNCTION pos.customers_not_seen_within(days date[])
RETURNS TABLE (date date, counts integer[])
LANGUAGE sql STABLE
AS $$
  SELECT h.date, array_agg(h.n ORDER BY h.k)
  FROM (SELECT g.date, k.k, COALESCE(sum(g.n) FILTER (WHERE g.gap > k.k), 0)::int AS n
        FROM (SELECT v.date, LEAST(COALESCE(v.date - v.previous_visit, 31), 31) AS gap, count(*) AS n
              FROM pos.mv_customer_daily_visits v WHERE v.date = ANY (days) GROUP BY 1, 2) g
        CROSS JOIN generate_series(1, 30) k(k)
        GROUP BY g.date, k.k) h
  GROUP BY h.date
$$;
COMMENT ON FUNCTION pos.customers_not_seen_within(date[]) IS
  'pos.mv_customer_analytics.not_seen_within for these dates, from the visits'' previous visits.';
REVOKE ALL ON FUNCTION pos.customers_not_seen_within(date[]) FROM PUBLIC;

-- The ids come with the visits: no probe of pos.customer per visit (0116's), whatever the number of days.
CREATE OR REPLACE FUNCTION pos.customer_analytics_rows(days date[])
RETURNS SETOF pos.mv_customer_analytics
LANGUAGE sql STABLE
AS $$
  SELECT a.*, ns.counts
  FROM (SELECT v.date, count(*), count(*) FILTER (WHERE v.is_first_visit), count(*) FILTER (WHERE NOT v.is_first_visit),
               sum(v.transactions), sum(v.revenue), sum(v.sim_usage), round(avg(v.revenue), 2),
               round(avg(v.transactions), 2),
               round(count(*) FILTER (WHERE NOT v.is_first_visit)::numeric / count(*) * 100, 2),
               array_agg(v.customer_id ORDER BY v.customer_id)
        FROM pos.mv_customer_daily_visits v
        WHERE v.date = ANY (days)
        GROUP BY v.date) a
  JOIN pos.customers_not_seen_within(days) ns ON ns.date = a.date
$$;
COMMENT ON FUNCTION pos.customer_analytics_rows(date[]) IS
  'pos.mv_customer_analytics''s rows for these dates, from pos.mv_customer_daily_visits alone (stable ids and previous visits included).';

-- A moved customer's previous visit before a day once the changed days are rewritten: the later of their last visit
-- on an unchanged day (by index) and their last changed day with a purchase.
CREATE FUNCTION pos.previous_visit_before(customer_key text, day date, changed date[], bought date[])
RETURNS date
LANGUAGE sql STABLE
AS $$
  SELECT GREATEST((SELECT max(v.date) FROM pos.mv_customer_daily_visits v
                   WHERE v.customer_key = previous_visit_before.customer_key AND v.date < previous_visit_before.day
                     AND v.date <> ALL (previous_visit_before.changed)),
                  (SELECT max(b.b) FROM unnest(previous_visit_before.bought) b(b) WHERE b.b < previous_visit_before.day))
$$;
COMMENT ON FUNCTION pos.previous_visit_before(text, date, date[], date[]) IS
  'A customer''s last visit before a day, with the changed dates taken from bought (the changed days they now have purchases on) instead of the table: what an incremental visits refresh writes.';
REVOKE ALL ON FUNCTION pos.previous_visit_before(text, date, date[], date[]) FROM PUBLIC;

-- A full refresh takes each visit's previous one from a window over all the facts. An incremental one pairs the
-- changed days' facts with the rows they replace, as in 0116: a customer who bought on exactly the changed days they
-- had rows on ("unmoved") keeps each row's previous visit. The others ("moved": new to a changed day, or gone from
-- one) get it from their last other day, by the (customer_key, date) index, and so does their first visit on an
-- unchanged day after each day they came or went: the only unchanged row whose previous visit can differ.
-- It writes the rows that differ itself (reporting through mv_ops.note_applied, 0118): it pairs each changed day's
-- facts with the row they replace anyway, where mv_ops.apply_rows would compare every row of those days again as
-- text, twice (~16 of the step's ~55 ms for a batch at scale 100). A full refresh goes through apply_rows.
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
  -- by its pages, which is right for both; only the joins by customer below need visit_moved's statistics.
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
  CREATE TEMP TABLE visit_rows ON COMMIT DROP AS
  SELECT f.date, f.customer_key, f.transactions, f.revenue, f.line_items, f.sim_usage, p.previous_visit IS NULL AS is_first_visit,
         i.customer_id, p.previous_visit,
         -- Every column compared as a full refresh would write it (revenue as text: 10.0 and 10.00 are equal
         -- numbers), so a row is left alone exactly when mv_ops.apply_rows would leave it.
         NOT f.replaced
           OR ROW(f.transactions, f.revenue::text, f.line_items, f.sim_usage, p.previous_visit IS NULL, i.customer_id,
                  p.previous_visit)
              IS DISTINCT FROM ROW(f.was_transactions, f.was_revenue, f.was_line_items, f.was_sim_usage, f.was_first,
                                   f.old_id, f.was_previous) AS changed
  FROM visit_facts f
  LEFT JOIN visit_moved m ON m.customer_key = f.customer_key
  CROSS JOIN LATERAL (SELECT CASE WHEN m.customer_key IS NULL THEN f.was_previous
                                  ELSE pos.previous_visit_before(f.customer_key, f.date, days, m.bought_days) END) p(previous_visit)
  CROSS JOIN LATERAL (SELECT COALESCE(f.old_id, (SELECT c.customer_id FROM pos.customer c
                                                 WHERE c.customer_key = f.customer_key))) i(customer_id)
  WHERE f.bought;
  -- Only the rows that differ are written: the facts were paired with the rows they replace, so no row of the
  -- changed days needs to be compared again as text (mv_ops.apply_rows), a third of this step for a batch.
  DELETE FROM pos.mv_customer_daily_visits v
  USING visit_facts f LEFT JOIN visit_rows r ON r.date = f.date AND r.customer_key = f.customer_key
  WHERE f.replaced AND (r.date IS NULL OR r.changed)
    AND v.date = ANY (days) AND v.date = f.date AND v.customer_key = f.customer_key;
  GET DIAGNOSTICS gone = ROW_COUNT;
  INSERT INTO pos.mv_customer_daily_visits (date, customer_key, transactions, revenue, line_items, sim_usage,
                                            is_first_visit, customer_id, previous_visit)
  SELECT r.date, r.customer_key, r.transactions, r.revenue, r.line_items, r.sim_usage, r.is_first_visit, r.customer_id,
         r.previous_visit
  FROM visit_rows r WHERE r.changed
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

-- The periods' unique customers from the stored counts: no (customer, day) pair is read, sorted or compared.
CREATE OR REPLACE FUNCTION pos.dashboard_summary_cache_rows(reference_dates date[])
RETURNS SETOF pos.mv_dashboard_summary_cache
LANGUAGE sql STABLE
AS $$
  WITH periods AS MATERIALIZED (
    SELECT d.date AS reference_date, p.period_type, p.start_date, d.date AS end_date
    FROM pos.mv_daily_sales_summary d
    CROSS JOIN LATERAL (VALUES ('daily', d.date), ('last_7_days', d.date - 6), ('last_30_days', d.date - 29),
                               ('month_to_date', date_trunc('month', d.date)::date)) p(period_type, start_date)
    WHERE d.date = ANY (reference_dates)
  ),
  -- Each period's days, k days after its start. A constant series (a period is at most 31 days), so the planner
  -- estimates a few days per period rather than its default 1000 rows, which would price the query high enough
  -- for JIT compilation that costs far more than the query.
  period_days AS MATERIALIZED (
    SELECT p.reference_date, p.period_type, p.start_date + back.k AS date, back.k
    FROM periods p CROSS JOIN generate_series(0, 30) back(k)
    WHERE back.k <= p.end_date - p.start_date
  ),
  -- A customer counts once in a period, on the first of its days there: the day k days after the period's start
  -- whose customers had not bought in the k days before it (all of them on the first day).
  uniq AS (
    SELECT pd.reference_date, pd.period_type,
           sum(CASE WHEN pd.k = 0 THEN ca.total_unique_customers ELSE ca.not_seen_within[pd.k] END)::bigint AS n
    FROM period_days pd
    JOIN pos.mv_customer_analytics ca ON ca.date = pd.date
    GROUP BY 1, 2
  ),
  -- Each day's figures and trend entry once, however many periods contain it.
  days AS MATERIALIZED (
    SELECT ds.date, ds.total_transactions, ds.total_revenue, ds.total_profit, ds.sim_usage_count, ds.sim_capacity_hours,
           ca.new_customers, ca.retention_rate_pct,
           json_build_object('date', ds.date, 'revenue', ds.total_revenue, 'profit', ds.total_profit,
                             'customers', ds.total_customers, 'transactions', ds.total_transactions,
                             'sim_utilization', ds.sim_utilization_pct) AS trend
    FROM (SELECT DISTINCT pd.date FROM period_days pd) u
    JOIN pos.mv_daily_sales_summary ds ON ds.date = u.date
    LEFT JOIN pos.mv_customer_analytics ca ON ca.date = ds.date
  ),
  figures AS (
    SELECT pd.reference_date, pd.period_type,
           sum(d.total_transactions) AS total_transactions, sum(d.total_revenue) AS total_revenue,
           sum(d.total_profit) AS total_profit, sum(d.sim_usage_count) AS sim_usage_count,
           sum(d.sim_capacity_hours) AS sim_capacity_hours,
           COALESCE(sum(d.new_customers), 0) AS new_customers,
           round(avg(d.retention_rate_pct), 2) AS avg_retention_rate_pct,
           json_agg(d.trend ORDER BY d.date) AS trend_data
    FROM period_days pd
    JOIN days d ON d.date = pd.date
    GROUP BY 1, 2
  )
  SELECT p.reference_date, p.period_type, p.start_date, p.end_date,
         a.total_transactions, COALESCE(uc.n, 0), a.total_revenue, a.total_profit, a.sim_usage_count,
         round(a.total_revenue / NULLIF(a.total_transactions, 0), 2),
         round(a.total_profit / NULLIF(a.total_revenue, 0) * 100, 2),
         round(a.sim_usage_count / a.sim_capacity_hours * 100, 2),
         a.new_customers, a.avg_retention_rate_pct, a.trend_data
  FROM periods p
  JOIN figures a ON a.reference_date = p.reference_date AND a.period_type = p.period_type
  LEFT JOIN uniq uc ON uc.reference_date = p.reference_date AND uc.period_type = p.period_type
$$;
COMMENT ON FUNCTION pos.dashboard_summary_cache_rows(date[]) IS
  'pos.mv_dashboard_summary_cache''s rows (four periods each) for these reference dates, from the daily summary and customer analytics (unique customers from its not_seen_within counts); each day''s figures and trend entry are built once however many periods hold it.';

-- Weeks' and months' distinct customers from customer analytics' counts, as the cache's periods: a month reads its
-- ~30 days instead of hashing its ~30,000 visits' keys. So both read customer analytics instead of the visits
-- (registered again below).
CREATE OR REPLACE FUNCTION pos.weekly_sales_summary_rows(weeks date[])
RETURNS SETOF pos.mv_weekly_sales_summary
LANGUAGE sql STABLE
AS $$
  WITH w AS (SELECT DISTINCT ws FROM unnest(weeks) ws),
  days AS (
    SELECT d.*, w.ws AS week_start FROM w JOIN pos.mv_daily_sales_summary d ON d.date >= w.ws AND d.date < w.ws + 7
  ), customers AS (
    SELECT w.ws AS week_start,
           sum(CASE WHEN a.date = w.ws THEN a.total_unique_customers ELSE a.not_seen_within[a.date - w.ws] END)::bigint AS n
    FROM w JOIN pos.mv_customer_analytics a ON a.date >= w.ws AND a.date < w.ws + 7 GROUP BY 1
  )
  SELECT to_char(d.week_start, 'IYYY-"W"IW'), extract(isoyear FROM d.week_start)::int, extract(week FROM d.week_start)::int,
         d.week_start, d.week_start + 6, count(*), sum(d.total_transactions), COALESCE(max(c.n), 0), sum(d.total_revenue),
         sum(d.total_profit), sum(d.sim_usage_count), round(avg(d.total_revenue), 2),
         round(sum(d.total_revenue) / NULLIF(sum(d.total_transactions), 0), 2),
         round(sum(d.total_profit) / NULLIF(sum(d.total_revenue), 0) * 100, 2),
         sum(d.sim_capacity_hours), round(sum(d.sim_usage_count) / sum(d.sim_capacity_hours) * 100, 2), count(*),
         round(sum(d.total_customers)::numeric / count(*), 2), round(sum(d.total_transactions)::numeric / count(*), 2),
         max(d.total_revenue), min(d.total_revenue)
  FROM days d
  LEFT JOIN customers c USING (week_start)
  GROUP BY d.week_start
$$;

CREATE OR REPLACE FUNCTION pos.monthly_sales_summary_rows_known(months date[], recount date[])
RETURNS SETOF pos.mv_monthly_sales_summary
LANGUAGE sql STABLE
AS $$
  WITH ms AS (SELECT DISTINCT m AS month_start, (m + interval '1 month')::date AS next_month FROM unnest(months) m),
  -- A month's customers as stored, unless it is to be recounted (or has no row yet): a month whose visits did not
  -- change has the same customers. A recount adds up the month's days' customers not seen since the month began.
  customers AS (
    SELECT ms.month_start,
           CASE WHEN ms.month_start = ANY (recount) OR k.total_customers IS NULL
                THEN (SELECT sum(CASE WHEN a.date = ms.month_start THEN a.total_unique_customers
                                      ELSE a.not_seen_within[a.date - ms.month_start] END)::bigint
                      FROM pos.mv_customer_analytics a WHERE a.date >= ms.month_start AND a.date < ms.next_month)
                ELSE k.total_customers END AS n
    FROM ms
    LEFT JOIN pos.mv_monthly_sales_summary k ON k.month_start_date = ms.month_start
  ), m AS (
    SELECT ms.month_start, ms.next_month, count(*) AS active_days, sum(d.total_transactions) AS total_transactions,
           sum(d.total_revenue) AS total_revenue, sum(d.total_profit) AS total_profit, sum(d.sim_usage_count) AS sim_usage_count,
           round(avg(d.total_revenue), 2) AS avg_daily_revenue, sum(d.sim_capacity_hours) AS sim_capacity_hours
    FROM ms JOIN pos.mv_daily_sales_summary d ON d.date >= ms.month_start AND d.date < ms.next_month
    GROUP BY ms.month_start, ms.next_month
  )
  SELECT to_char(m.month_start, 'YYYY-MM'), extract(year FROM m.month_start)::int, extract(month FROM m.month_start)::int,
         to_char(m.month_start, 'FMMonth YYYY'), m.month_start, (m.month_start + interval '1 month' - interval '1 day')::date,
         m.active_days, m.total_transactions, COALESCE(c.n, 0), m.total_revenue, m.total_profit, m.sim_usage_count,
         m.avg_daily_revenue, round(m.total_revenue / NULLIF(m.total_transactions, 0), 2),
         round(m.total_profit / NULLIF(m.total_revenue, 0) * 100, 2), m.sim_capacity_hours,
         round(m.sim_usage_count / m.sim_capacity_hours * 100, 2), round(m.total_transactions::numeric / m.active_days, 2),
         (SELECT w.week_number FROM pos.mv_weekly_sales_summary w
          WHERE w.week_start_date >= m.month_start AND w.week_start_date < m.next_month
          ORDER BY w.total_revenue DESC, w.week_number LIMIT 1),
         (SELECT w.week_number FROM pos.mv_weekly_sales_summary w
          WHERE w.week_start_date >= m.month_start AND w.week_start_date < m.next_month
          ORDER BY w.total_revenue ASC, w.week_number LIMIT 1),
         m.active_days
  FROM m
  LEFT JOIN customers c USING (month_start)
$$;

CREATE OR REPLACE FUNCTION pos.refresh_weekly_sales_summary()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT mv_ops.apply_keyed('pos.mv_weekly_sales_summary', 'week_start_date', 'pos.weekly_sales_summary_rows',
    CASE WHEN pos.full_refresh() THEN pos.week_starts(ARRAY(SELECT d.date FROM pos.mv_daily_sales_summary d))
         ELSE pos.week_starts(pos.changed_days('pos.mv_daily_sales_summary', 'pos.mv_customer_analytics')) END,
    pos.full_refresh())
$$;

CREATE OR REPLACE FUNCTION pos.refresh_monthly_sales_summary()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  full_refresh boolean := pos.full_refresh();
  months date[];
  recount date[];
BEGIN
  IF full_refresh THEN
    months := pos.month_starts(ARRAY(SELECT d.date FROM pos.mv_daily_sales_summary d));
    recount := months;
  ELSE
    -- A changed week changes the peak/lowest week of the month it starts in.
    months := pos.month_starts(pos.changed_days('pos.mv_daily_sales_summary', 'pos.mv_customer_analytics',
                                                'pos.mv_weekly_sales_summary'));
    recount := pos.month_starts(pos.changed_days('pos.mv_customer_analytics'));
    IF cardinality(months) = 0 THEN
      RETURN;
    END IF;
  END IF;
  -- The keys as literals, as mv_ops.apply_keyed does: the rows function is inlined and planned for them.
  EXECUTE format('CREATE TEMP TABLE monthly_fresh ON COMMIT DROP AS SELECT * FROM pos.monthly_sales_summary_rows_known(%L::date[], %L::date[])',
                 months, recount);
  ANALYZE pg_temp.monthly_fresh;
  PERFORM mv_ops.apply_rows('pos.mv_monthly_sales_summary', 'month_start_date', 'pg_temp.monthly_fresh', months, full_refresh);
  DROP TABLE pg_temp.monthly_fresh;
END
$$;
COMMENT ON FUNCTION pos.refresh_monthly_sales_summary() IS
  'The refresh routine of pos.mv_monthly_sales_summary (registered in mv_ops, which calls it as the owner): full when mv_ops.refresh_mode is full, else the months whose days, customer analytics or weeks changed (mv_ops.refresh_keys), recounting customers only where customer analytics changed; writes only rows that differ (mv_ops.apply_rows).';

-- Their new sources, registered as before otherwise; make_keyed makes the next refresh of each full (the analytics
-- journal kept nothing for them until now) and due at the next tick.
DO $$
DECLARE
  m mv_ops.managed_view;
BEGIN
  FOR m IN SELECT * FROM mv_ops.managed_view v
           WHERE v.schema_name = 'pos' AND v.view_name IN ('mv_weekly_sales_summary', 'mv_monthly_sales_summary')
           ORDER BY v.view_id LOOP
    PERFORM mv_ops.register_aggregate(format('pos.%I', m.view_name)::regclass, m.pack, m.description, m.schedule,
      m.warn_after, m.error_after, m.refresh_routine::regprocedure,
      CASE m.view_name WHEN 'mv_weekly_sales_summary' THEN ARRAY['pos.mv_customer_analytics', 'pos.mv_daily_sales_summary']
                       ELSE ARRAY['pos.mv_customer_analytics', 'pos.mv_daily_sales_summary', 'pos.mv_weekly_sales_summary'] END::regclass[],
      m.date_relative, m.time_zone, m.full_refresh_schedule, m.enabled);
    PERFORM mv_ops.make_keyed(format('pos.%I', m.view_name)::regclass);
  END LOOP;
END
$$;

-- The comments of what now reads customer analytics instead of the visits, or adds up stored counts.
COMMENT ON FUNCTION pos.monthly_sales_summary_rows(date[]) IS
  'pos.mv_monthly_sales_summary''s rows for the months starting on these dates, from the daily summary, customer analytics and weeks of those months only; a month''s customers add up its days'' customers not seen since the month began.';
COMMENT ON FUNCTION pos.monthly_sales_summary_rows_known(date[], date[]) IS
  'pos.mv_monthly_sales_summary''s rows for the months starting on these dates, taking total_customers from the table for months not in recount (their customer analytics did not change since the table was written); recounting every month it is pos.monthly_sales_summary_rows.';
COMMENT ON FUNCTION pos.weekly_sales_summary_rows(date[]) IS
  'pos.mv_weekly_sales_summary''s rows for the ISO weeks starting on these Mondays, from the daily summary and customer analytics of those weeks only (customers: the days'' customers not seen since the Monday).';
COMMENT ON TABLE pos.mv_customer_daily_visits IS
  'Supporting aggregate (kept by pos.refresh_customer_daily_visits): one row per identified customer and day they bought, with their stable id and previous visit; is_first_visit on the customer''s first such day. Distinct customers over any range are counted from it (or from the not-seen counts customer analytics derives from it) exactly, never by adding up daily distinct counts.';
COMMENT ON FUNCTION pos.customer_visit_facts(date[]) IS
  'Identified customers'' purchases per day on these dates: pos.mv_customer_daily_visits without is_first_visit, customer_id and previous_visit, which depend on the customer''s other days and on pos.customer.';

-- Customer analytics reads the visits alone now, yet keeps pos.customer among its declared sources: pos.customer
-- is key-tracked (its journal records first_seen), and a tracked table no aggregate reads would keep its journal rows
-- until the nightly prune. The keys it hands are days whose visits changed anyway.

-- Rows written before this migration: their ids, previous visits and counts. The visits are written again in date
-- order (an UPDATE would scatter a day's rows over the table); the truncation journals a full refresh of what reads
-- them, to the same figures. Every visit's customer has an id (the visits routine assigns them first); one that had
-- none would get it here rather than lose its visits.
INSERT INTO pos.customer (customer_key, first_seen)
SELECT v.customer_key, min(v.date) FROM pos.mv_customer_daily_visits v
WHERE NOT EXISTS (SELECT 1 FROM pos.customer c WHERE c.customer_key = v.customer_key)
GROUP BY 1 ORDER BY 1;
CREATE TEMP TABLE visits_0119 ON COMMIT DROP AS
SELECT v.date, v.customer_key, v.transactions, v.revenue, v.line_items, v.sim_usage,
       lag(v.date) OVER (PARTITION BY v.customer_key ORDER BY v.date) AS previous_visit, c.customer_id
FROM pos.mv_customer_daily_visits v JOIN pos.customer c ON c.customer_key = v.customer_key;
TRUNCATE pos.mv_customer_daily_visits;
INSERT INTO pos.mv_customer_daily_visits (date, customer_key, transactions, revenue, line_items, sim_usage, is_first_visit,
                                          customer_id, previous_visit)
SELECT b.date, b.customer_key, b.transactions, b.revenue, b.line_items, b.sim_usage, b.previous_visit IS NULL,
       b.customer_id, b.previous_visit
FROM visits_0119 b ORDER BY b.date, b.customer_key;
DROP TABLE visits_0119;
ANALYZE pos.mv_customer_daily_visits;
UPDATE pos.mv_customer_analytics a SET not_seen_within = ns.counts
FROM pos.customers_not_seen_within(ARRAY(SELECT x.date FROM pos.mv_customer_analytics x)) ns
WHERE ns.date = a.date;
