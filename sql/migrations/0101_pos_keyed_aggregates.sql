-- 0101: the sales views become keyed aggregates: tables with the same names, columns and indexes, kept by
-- routines that recompute only the business dates that changed (and what depends on them); customers get
-- stable ids (pos.customer).
-- Up Migration

-- Each view becomes a table of exactly its columns and types (LIKE copies them) with its current rows, so
-- dashboards keep working through the migration; the first refresh after it is full (no key progress yet).
DO $$
DECLARE
  v text;
  populated boolean;
BEGIN
  FOREACH v IN ARRAY ARRAY['mv_daily_sales_summary', 'mv_customer_daily_visits', 'mv_customer_analytics', 'mv_product_performance',
                           'mv_weekly_sales_summary', 'mv_monthly_sales_summary', 'mv_dashboard_summary_cache',
                           'mv_weekly_reports_cache', 'mv_monthly_reports_cache'] LOOP
    SELECT c.relispopulated INTO populated FROM pg_catalog.pg_class c
    WHERE c.oid = to_regclass('pos.' || v) AND c.relkind = 'm';
    CONTINUE WHEN populated IS NULL; -- already a table (migration re-run)
    EXECUTE format('CREATE TABLE pos.%I (LIKE pos.%I)', v || '__table', v);
    IF populated THEN
      EXECUTE format('INSERT INTO pos.%I SELECT * FROM pos.%I', v || '__table', v);
    END IF;
  END LOOP;
END
$$;
DROP MATERIALIZED VIEW IF EXISTS pos.mv_monthly_reports_cache, pos.mv_weekly_reports_cache, pos.mv_dashboard_summary_cache,
  pos.mv_monthly_sales_summary, pos.mv_weekly_sales_summary, pos.mv_product_performance, pos.mv_customer_analytics,
  pos.mv_customer_daily_visits, pos.mv_daily_sales_summary;
DO $$
DECLARE
  v text;
BEGIN
  FOR v IN SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relnamespace = 'pos'::regnamespace AND c.relname LIKE 'mv\_%\_\_table' LOOP
    EXECUTE format('ALTER TABLE pos.%I RENAME TO %I', v, left(v, length(v) - length('__table')));
  END LOOP;
END
$$;

-- The indexes the views had, by the same names.
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_daily_sales_summary_date ON pos.mv_daily_sales_summary (date);
CREATE INDEX IF NOT EXISTS idx_mv_daily_sales_summary_revenue ON pos.mv_daily_sales_summary (date, total_revenue);
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_customer_daily_visits_key ON pos.mv_customer_daily_visits (date, customer_key);
-- New: a customer's days, to find a first visit without reading every customer.
CREATE INDEX IF NOT EXISTS idx_mv_customer_daily_visits_customer ON pos.mv_customer_daily_visits (customer_key, date);
COMMENT ON INDEX pos.idx_mv_customer_daily_visits_customer IS 'A customer''s visit days: first visits and zero-lag reads'' last visit before today, by index.';
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_customer_analytics_date ON pos.mv_customer_analytics (date);
CREATE INDEX IF NOT EXISTS idx_mv_customer_analytics_metrics ON pos.mv_customer_analytics (date, new_customers, returning_customers);
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_product_performance_key ON pos.mv_product_performance (date, product_category, product_name);
CREATE INDEX IF NOT EXISTS idx_mv_product_performance_date_category ON pos.mv_product_performance (date, product_category);
CREATE INDEX IF NOT EXISTS idx_mv_product_performance_sim ON pos.mv_product_performance (date, is_sim_product);
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_weekly_sales_summary_week ON pos.mv_weekly_sales_summary (week_number);
CREATE INDEX IF NOT EXISTS idx_mv_weekly_sales_summary_year_week ON pos.mv_weekly_sales_summary (year, week);
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_weekly_sales_summary_start ON pos.mv_weekly_sales_summary (week_start_date);
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_monthly_sales_summary_month ON pos.mv_monthly_sales_summary (month_number);
CREATE INDEX IF NOT EXISTS idx_mv_monthly_sales_summary_year_month ON pos.mv_monthly_sales_summary (year, month);
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_monthly_sales_summary_start ON pos.mv_monthly_sales_summary (month_start_date);
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_dashboard_summary_cache_key ON pos.mv_dashboard_summary_cache (reference_date, period_type);
CREATE INDEX IF NOT EXISTS idx_mv_dashboard_summary_cache_period ON pos.mv_dashboard_summary_cache (period_type, reference_date);
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_weekly_reports_cache_week ON pos.mv_weekly_reports_cache (week_number);
CREATE INDEX IF NOT EXISTS idx_mv_weekly_reports_cache_year_week ON pos.mv_weekly_reports_cache (year, week);
CREATE INDEX IF NOT EXISTS idx_mv_weekly_reports_cache_range ON pos.mv_weekly_reports_cache (week_start_date, week_end_date);
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_monthly_reports_cache_month ON pos.mv_monthly_reports_cache (month_number);
CREATE INDEX IF NOT EXISTS idx_mv_monthly_reports_cache_year_month ON pos.mv_monthly_reports_cache (year, month);
CREATE INDEX IF NOT EXISTS idx_mv_monthly_reports_cache_start ON pos.mv_monthly_reports_cache (month_start_date);

REVOKE ALL ON pos.mv_daily_sales_summary, pos.mv_customer_daily_visits, pos.mv_customer_analytics, pos.mv_product_performance,
  pos.mv_weekly_sales_summary, pos.mv_monthly_sales_summary, pos.mv_dashboard_summary_cache, pos.mv_weekly_reports_cache,
  pos.mv_monthly_reports_cache FROM PUBLIC;
-- As the views were (0033): every mv_ops reader (the sales Grafana login among them) reads the sales aggregates.
GRANT SELECT ON pos.mv_daily_sales_summary, pos.mv_customer_daily_visits, pos.mv_customer_analytics, pos.mv_product_performance,
  pos.mv_weekly_sales_summary, pos.mv_monthly_sales_summary, pos.mv_dashboard_summary_cache, pos.mv_weekly_reports_cache,
  pos.mv_monthly_reports_cache TO mv_ops_reader;

COMMENT ON TABLE pos.mv_daily_sales_summary IS
  'Tier 1 (keyed aggregate, kept by pos.refresh_daily_sales_summary): one row per business date with sales (voided lines excluded). Customers per pos.customer_key; sim_capacity_hours is that day''s bay-hours, so utilisation over any set of days is sum(sim_usage_count) / sum(sim_capacity_hours).';
COMMENT ON TABLE pos.mv_customer_daily_visits IS
  'Supporting aggregate (kept by pos.refresh_customer_daily_visits): one row per identified customer and day they bought; is_first_visit on the customer''s first such day. Distinct customers over any range are counted from it exactly, never by adding up daily counts.';
COMMENT ON TABLE pos.mv_customer_analytics IS
  'Tier 2 (keyed aggregate, kept by pos.refresh_customer_analytics): identified customers per day: new (first purchase ever that day), returning, spend. total_unique_customers equals mv_daily_sales_summary.total_customers for the same day; customer_ids are the day''s customers as stable ids (pos.customer), never renumbered.';
COMMENT ON TABLE pos.mv_product_performance IS
  'Tier 2 (keyed aggregate, kept by pos.refresh_product_performance): sales per day, category and product. Missing category or name is shown as ''(none)'' so the key is never NULL.';
COMMENT ON TABLE pos.mv_weekly_sales_summary IS
  'Tier 1 (keyed by week_start_date, kept by pos.refresh_weekly_sales_summary): one row per ISO week with sales (Monday to Sunday, ISO year). total_customers counts each customer once per week; utilisation is exact over the week''s operating days; avg_daily_customers averages the daily counts.';
COMMENT ON TABLE pos.mv_monthly_sales_summary IS
  'Tier 1 (keyed by month_start_date, kept by pos.refresh_monthly_sales_summary): one row per calendar month with sales. total_customers counts each customer once per month; peak_week/lowest_week are the ISO weeks starting in the month with the highest/lowest revenue.';
COMMENT ON TABLE pos.mv_dashboard_summary_cache IS
  'Tier 3 (keyed by reference_date, kept by pos.refresh_dashboard_summary_cache): for every sales date, the daily, last-7-days, last-30-days and month-to-date periods ending on it: unique customers counted once per period, exact SIM utilisation, daily trend as JSON.';
COMMENT ON TABLE pos.mv_weekly_reports_cache IS
  'Tier 3 (keyed by week_start_date, kept by pos.refresh_weekly_reports_cache): the weekly report rows with their week start/end dates, new customers, mean daily retention, and growth against the calendar week before (NULL when there is none).';
COMMENT ON TABLE pos.mv_monthly_reports_cache IS
  'Tier 3 (keyed by month_start_date, kept by pos.refresh_monthly_reports_cache): the monthly report rows with their month start/end dates, new customers, mean daily retention, peak/lowest week, and growth against the calendar month before (NULL when there is none).';

CREATE TABLE IF NOT EXISTS pos.customer (
  customer_id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_key text NOT NULL UNIQUE,
  first_seen date NOT NULL
);
COMMENT ON TABLE pos.customer IS
  'Stable customer ids: one per pos.customer_key ever seen, assigned when the customer first appears in pos.mv_customer_daily_visits and never renumbered (mv_customer_analytics.customer_ids hold them).';
COMMENT ON COLUMN pos.customer.first_seen IS 'The business date of the purchase the id was assigned for (not necessarily the first visit: corrections can add earlier ones).';
-- Ids for the customers the views already hold, so the copied rows and the first refreshes agree whatever
-- order they run in (customer_key order, as the views' dense ranks were).
INSERT INTO pos.customer (customer_key, first_seen)
SELECT v.customer_key, min(v.date) FROM pos.mv_customer_daily_visits v GROUP BY 1 ORDER BY 1
ON CONFLICT (customer_key) DO NOTHING;
COMMENT ON COLUMN pos.customer.customer_id IS 'The stable id: what mv_customer_analytics.customer_ids hold.';
COMMENT ON COLUMN pos.customer.customer_key IS 'pos.customer_key(phone) of the customer.';
REVOKE ALL ON pos.customer FROM PUBLIC;
-- No grant: readers count ids, they never need to map them back to phone numbers.
