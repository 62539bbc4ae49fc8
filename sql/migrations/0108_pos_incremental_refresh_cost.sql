-- 0108: a 15-minute batch's refresh of the sales aggregates costs far less: the dashboard cache counts customers
-- over the runs of days its periods cover (not the months between today and an old correction) and builds each
-- day's figures once, months count distinct customers by hashing, and the visits routine probes and rewrites only
-- the customers whose first visit may move. Same rows as before, for every set of keys.
-- Up Migration

CREATE OR REPLACE FUNCTION pos.monthly_sales_summary_rows_known(months date[], recount date[])
RETURNS SETOF pos.mv_monthly_sales_summary
LANGUAGE sql STABLE
AS $$
  WITH ms AS (SELECT DISTINCT m AS month_start, (m + interval '1 month')::date AS next_month FROM unnest(months) m),
  -- A month's customers as stored, unless it is to be recounted (or has no row yet): a month whose visits did not
  -- change has the same customers. A recount is a hashed DISTINCT of the month's visits (tens of thousands of keys
  -- at scale), not count(DISTINCT), which sorts them all, spilling to disk.
  customers AS (
    SELECT ms.month_start,
           CASE WHEN ms.month_start = ANY (recount) OR k.total_customers IS NULL
                THEN (SELECT count(*) FROM (SELECT DISTINCT v.customer_key FROM pos.mv_customer_daily_visits v
                                            WHERE v.date >= ms.month_start AND v.date < ms.next_month) u)
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
COMMENT ON FUNCTION pos.monthly_sales_summary_rows_known(date[], date[]) IS
  'pos.mv_monthly_sales_summary''s rows for the months starting on these dates, taking total_customers from the table for months not in recount (their visits did not change since the table was written); recounting every month it is pos.monthly_sales_summary_rows.';
REVOKE ALL ON FUNCTION pos.monthly_sales_summary_rows_known(date[], date[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION pos.monthly_sales_summary_rows(months date[])
RETURNS SETOF pos.mv_monthly_sales_summary
LANGUAGE sql STABLE
AS $$ SELECT * FROM pos.monthly_sales_summary_rows_known(months, months) $$;
COMMENT ON FUNCTION pos.monthly_sales_summary_rows(date[]) IS
  'pos.mv_monthly_sales_summary''s rows for the months starting on these dates, from the daily summary, customer visits and weeks of those months only; a month''s distinct customers are hashed, not sorted.';

-- As in 0103, but a month handed only because a week starting in it changed (its peak and lowest week), or because
-- its days did, keeps its stored customer count: only months whose visits changed are recounted. A batch of today
-- plus an old correction recounts two months, not also the month before today's week.
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
    months := pos.month_starts(pos.changed_days('pos.mv_daily_sales_summary', 'pos.mv_customer_daily_visits',
                                                'pos.mv_weekly_sales_summary'));
    recount := pos.month_starts(pos.changed_days('pos.mv_customer_daily_visits'));
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
  'The refresh routine of pos.mv_monthly_sales_summary (registered in mv_ops, which calls it as the owner): full when mv_ops.refresh_mode is full, else the months whose days, visits or weeks changed (mv_ops.refresh_keys), recounting customers only where visits changed; writes only rows that differ (mv_ops.apply_rows).';

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
  -- The periods' days as runs of consecutive days ("islands"): a batch's periods around today and around an old
  -- correction are two short runs, and the months between them are not read: a customer's previous visit before
  -- an island's first day is before every period start in it, wherever it is.
  islands AS (
    SELECT min(n.date) AS lo, max(n.date) AS hi
    FROM (SELECT u.date, u.date - (row_number() OVER (ORDER BY u.date))::int AS run
          FROM (SELECT DISTINCT pd.date FROM period_days pd) u) n
    GROUP BY n.run
  ),
  -- Distinct customers of many overlapping periods without a distinct per period: a customer counts once in a
  -- period, on the first of its days there, i.e. the day whose previous visit (gap days before) is before the
  -- period's start. So per day, how many customers had no visit in the k days before it (k = 0..30, the most a
  -- period reaches back), and per period the sum of those counts at k = day - start.
  -- Each (customer, day) is one bigint, id << 20 | days since the first island's start, sorted once: a single-key
  -- sort and lag are cheaper than a partitioned window over (id, date), and it is the part that scales with the
  -- customers. The previous visit may fall in an earlier island (not read between them): it is then before every
  -- period start of this island too, as the true previous visit is, so the counts are the same.
  base AS (SELECT min(i.lo) AS d0 FROM islands i),
  gaps AS MATERIALIZED (
    SELECT b.d0 + g.day_no AS date, g.gap, g.n
    FROM base b
    CROSS JOIN (
      SELECT (v.p & 1048575)::int AS day_no, LEAST(v.gap, 31) AS gap, count(*) AS n
      FROM (SELECT u.p, CASE WHEN lag(u.p) OVER w >> 20 = u.p >> 20 THEN (u.p - lag(u.p) OVER w)::int END AS gap
            FROM (SELECT (unnest(ca.customer_ids)::bigint << 20) | (ca.date - b.d0) AS p
                  FROM base b
                  JOIN islands i ON true
                  JOIN pos.mv_customer_analytics ca ON ca.date BETWEEN i.lo AND i.hi) u
            WINDOW w AS (ORDER BY u.p)) v
      GROUP BY 1, 2
    ) g
  ),
  -- Only the (day, k) pairs some period asks for.
  new_since AS MATERIALIZED (
    SELECT w.date, w.k, sum(g.n) FILTER (WHERE g.gap IS NULL OR g.gap > w.k) AS n
    FROM (SELECT DISTINCT pd.date, pd.k FROM period_days pd) w
    JOIN gaps g ON g.date = w.date
    GROUP BY 1, 2
  ),
  uniq AS (
    SELECT pd.reference_date, pd.period_type, sum(ns.n)::bigint AS n
    FROM period_days pd
    JOIN new_since ns ON ns.date = pd.date AND ns.k = pd.k
    GROUP BY 1, 2
  ),
  -- Each day's figures and trend entry once, however many periods contain it.
  days AS MATERIALIZED (
    SELECT ds.date, ds.total_transactions, ds.total_revenue, ds.total_profit, ds.sim_usage_count, ds.sim_capacity_hours,
           ca.new_customers, ca.retention_rate_pct,
           json_build_object('date', ds.date, 'revenue', ds.total_revenue, 'profit', ds.total_profit,
                             'customers', ds.total_customers, 'transactions', ds.total_transactions,
                             'sim_utilization', ds.sim_utilization_pct) AS trend
    FROM islands i
    JOIN pos.mv_daily_sales_summary ds ON ds.date BETWEEN i.lo AND i.hi
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
  'pos.mv_dashboard_summary_cache''s rows (four periods each) for these reference dates, from the daily summary and customer analytics. Customers are counted over the runs of consecutive days the periods cover, so a batch touching today and a day months back reads two short runs, not every day between; each day''s figures and trend entry are built once however many periods hold it.';

-- As in 0103, with the table right before the refresh (as every refresh leaves it) taken into account, so that a
-- batch reads and writes little beyond its own days:
-- * A customer whose rows being replaced were all flagged returning, and who has no new row before the earliest of
--   them, first visited on another, earlier day, and still does ("settled"): no probe of their other days, no flag
--   moves. Only the rest (new customers, first visits, visits moved earlier) are probed, one index probe each.
-- * A customer's rows on the other days can only be flagged on the earliest of them (other_first), and only if the
--   customer's first visit moves (old_first: from the rows replaced and other_first); 0103 re-read every other
--   visit of every customer of the changed days to find out.
-- * Only customers the table has no row for may lack an id (every customer in it got one with their first row).
-- A full refresh trusts none of it: every customer is probed and gets an id if missing.
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
  -- Nothing changed (a quiet quarter-hour): four temp tables would cost more than the answer.
  IF NOT full_refresh AND cardinality(days) = 0 THEN
    RETURN;
  END IF;
  CREATE TEMP TABLE visit_facts ON COMMIT DROP AS SELECT * FROM pos.customer_visit_facts(days);
  -- Statistics for the temp tables, so a batch's few hundred customers are joined by index, not by a scan of
  -- every visit.
  ANALYZE pg_temp.visit_facts;
  -- Per customer of the changed days (before or after the change): the first new day, and what the rows being
  -- replaced say about the first visit.
  CREATE TEMP TABLE visit_changes ON COMMIT DROP AS
  SELECT u.customer_key, min(u.fact_date) AS fact_first, min(u.replaced_date) AS replaced_first,
         NOT full_refresh AND count(u.replaced_date) > 0 AND NOT bool_or(u.replaced_first_visit)
           AND (min(u.fact_date) IS NULL OR min(u.fact_date) >= min(u.replaced_date)) AS settled
  FROM (SELECT f.customer_key, f.date AS fact_date, NULL::date AS replaced_date, NULL::boolean AS replaced_first_visit
        FROM visit_facts f
        UNION ALL
        SELECT v.customer_key, NULL, v.date, v.is_first_visit FROM pos.mv_customer_daily_visits v WHERE v.date = ANY (days)) u
  GROUP BY 1;
  ANALYZE pg_temp.visit_changes;
  -- A purchase, void or correction on a changed day can move the first visit of anyone who bought then
  -- (before or after the change), turning a later "new" day into a returning one or back. A settled customer's
  -- first visit is before every changed day and unchanged: their first_date and old_first are not it, and unused.
  CREATE TEMP TABLE visit_firsts ON COMMIT DROP AS
  SELECT c.customer_key, c.settled, least(c.fact_first, o.first_date) AS first_date, o.first_date AS other_first,
         least(c.replaced_first, o.first_date) AS old_first
  FROM visit_changes c
  LEFT JOIN LATERAL (SELECT min(v.date) AS first_date FROM pos.mv_customer_daily_visits v
                     WHERE NOT c.settled AND v.customer_key = c.customer_key AND v.date <> ALL (days)) o ON true;
  ANALYZE pg_temp.visit_firsts;
  -- New customers get their id now, once: ids are never reassigned, so the day arrays never renumber.
  INSERT INTO pos.customer (customer_key, first_seen)
  SELECT fi.customer_key, fi.first_date FROM visit_firsts fi
  WHERE fi.first_date IS NOT NULL AND (full_refresh OR fi.old_first IS NULL)
  ORDER BY 1
  ON CONFLICT (customer_key) DO NOTHING;
  CREATE TEMP TABLE visit_rows ON COMMIT DROP AS
  SELECT f.date, f.customer_key, f.transactions, f.revenue, f.line_items, f.sim_usage,
         NOT fi.settled AND f.date = fi.first_date AS is_first_visit
  FROM visit_facts f JOIN visit_firsts fi USING (customer_key);
  ANALYZE pg_temp.visit_rows;
  PERFORM mv_ops.apply_rows('pos.mv_customer_daily_visits', 'date', 'pg_temp.visit_rows', days, full_refresh);
  -- Days that did not change themselves but whose first-visit flag did: one row per customer whose first visit
  -- moved, by the unique (date, customer_key) index.
  UPDATE pos.mv_customer_daily_visits v SET is_first_visit = (v.date = fi.first_date)
  FROM visit_firsts fi
  WHERE NOT fi.settled AND fi.first_date IS DISTINCT FROM fi.old_first AND v.date = fi.other_first
    AND v.customer_key = fi.customer_key AND v.is_first_visit IS DISTINCT FROM (v.date = fi.first_date);
  DROP TABLE pg_temp.visit_facts, pg_temp.visit_changes, pg_temp.visit_firsts, pg_temp.visit_rows;
END
$$;
COMMENT ON FUNCTION pos.refresh_customer_daily_visits() IS
  'The refresh routine of pos.mv_customer_daily_visits (registered in mv_ops, which calls it as the owner): full when mv_ops.refresh_mode is full, else only the dates pos.lengolf_sales changed (mv_ops.refresh_keys), plus the first-visit flag of each customer of those dates whose first visit moved (on their earliest other day); writes only rows that differ (mv_ops.apply_rows). Incremental refreshes rely on the table being right before them (as every refresh leaves it): only customers whose first visit may have moved are probed.';
