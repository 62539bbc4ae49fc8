-- 0097: the alert-shaped queries the provisioned Grafana alert rules read: drift of the sales views from their source while
-- mv_ops reports nothing unseen (pos.drift_alert), and seconds since a scheduled tick last checked each pack (mv_ops.scheduler_alert).
-- Up Migration

-- Whether a customer's purchase in the drift window is their first ever needs their earlier purchases: without this
-- index that is a scan of the whole table (about 8 s at scale 100), with it one probe per customer and day.
-- Building it takes a few seconds at scale 100 and holds off writes to the table meanwhile.
CREATE INDEX IF NOT EXISTS idx_lengolf_sales_customer_first_date
  ON pos.lengolf_sales (pos.customer_key(customer_phone_number), date) WHERE NOT is_voided;
COMMENT ON INDEX pos.idx_lengolf_sales_customer_first_date IS
  'Earlier purchases of a customer (pos.customer_key) by date: lets pos.drift_checks tell new from returning customers without reading all history.';

-- The checks of pos.validate_views (0029), metric for metric, with new customers found through the index above instead of
-- pos.live_customer_days, which groups the whole table. test/provisioning/alerting-queries.test.ts holds the two equal.
CREATE OR REPLACE FUNCTION pos.drift_checks(from_date date, to_date date)
RETURNS TABLE (view_name text, metric text, source_value numeric, view_value numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM pos.check_date_range(from_date, to_date, 'the drift range');
  RETURN QUERY
  WITH src AS (SELECT * FROM pos.live_days(from_date, to_date)),
  -- pos.customer_key costs microseconds a call (it pins search_path): call it once per distinct phone and day, not per line.
  phone_days AS MATERIALIZED (
    SELECT DISTINCT s.date, s.customer_phone_number AS phone
    FROM pos.lengolf_sales s
    WHERE NOT s.is_voided AND s.date BETWEEN from_date AND to_date
  ),
  keyed AS MATERIALIZED (SELECT p.date, pos.customer_key(p.phone) AS customer_key FROM phone_days p),
  window_customers AS (SELECT DISTINCT k.date, k.customer_key FROM keyed k WHERE k.customer_key IS NOT NULL),
  cust AS (
    SELECT w.date, w.customer_key,
           NOT EXISTS (SELECT 1 FROM pos.lengolf_sales e
                       WHERE NOT e.is_voided AND pos.customer_key(e.customer_phone_number) = w.customer_key
                         AND e.date < w.date) AS is_new
    FROM window_customers w
  ),
  daily AS (SELECT * FROM pos.mv_daily_sales_summary d WHERE d.date BETWEEN from_date AND to_date),
  checks(view_name, metric, source_value, view_value) AS (
    SELECT 'mv_daily_sales_summary', 'total_revenue', (SELECT sum(revenue) FROM src), (SELECT sum(total_revenue) FROM daily)
    UNION ALL SELECT 'mv_daily_sales_summary', 'total_transactions', (SELECT sum(transactions) FROM src), (SELECT sum(total_transactions) FROM daily)
    UNION ALL SELECT 'mv_daily_sales_summary', 'sim_usage_count', (SELECT sum(sim_usage) FROM src), (SELECT sum(sim_usage_count) FROM daily)
    UNION ALL SELECT 'mv_daily_sales_summary', 'days_with_sales', (SELECT count(*) FROM src), (SELECT count(*) FROM daily)
    UNION ALL SELECT 'mv_daily_sales_summary', 'customer_days', (SELECT count(*) FROM cust), (SELECT sum(total_customers) FROM daily)
    UNION ALL SELECT 'mv_customer_analytics', 'new_customers', (SELECT count(*) FILTER (WHERE is_new) FROM cust),
                     (SELECT sum(c.new_customers) FROM pos.mv_customer_analytics c WHERE c.date BETWEEN from_date AND to_date)
    UNION ALL SELECT 'mv_customer_daily_visits', 'unique_customers', (SELECT count(DISTINCT customer_key) FROM cust),
                     (SELECT count(DISTINCT v.customer_key) FROM pos.mv_customer_daily_visits v WHERE v.date BETWEEN from_date AND to_date)
    UNION ALL SELECT 'mv_product_performance', 'total_revenue', (SELECT sum(revenue) FROM src),
                     (SELECT sum(p.total_revenue) FROM pos.mv_product_performance p WHERE p.date BETWEEN from_date AND to_date)
    UNION ALL SELECT 'mv_weekly_sales_summary', 'total_revenue', (SELECT sum(revenue) FROM src),
                     (SELECT sum(w.total_revenue) FROM pos.mv_weekly_sales_summary w
                      WHERE w.week_end_date >= from_date AND w.week_start_date <= to_date)
                     - (SELECT COALESCE(sum(d.total_revenue), 0) FROM pos.mv_daily_sales_summary d
                        WHERE d.date < from_date AND d.date >= date_trunc('week', from_date)
                           OR d.date > to_date AND d.date <= date_trunc('week', to_date)::date + 6)
    UNION ALL SELECT 'mv_monthly_sales_summary', 'total_revenue', (SELECT sum(revenue) FROM src),
                     (SELECT sum(m.total_revenue) FROM pos.mv_monthly_sales_summary m
                      WHERE m.month_end_date >= from_date AND m.month_start_date <= to_date)
                     - (SELECT COALESCE(sum(d.total_revenue), 0) FROM pos.mv_daily_sales_summary d
                        WHERE d.date < from_date AND d.date >= date_trunc('month', from_date)
                           OR d.date > to_date AND d.date < date_trunc('month', to_date) + interval '1 month')
  )
  SELECT c.view_name, c.metric, c.source_value, c.view_value FROM checks c;
END
$$;
COMMENT ON FUNCTION pos.drift_checks(date, date) IS
  'The metrics of pos.validate_views (each sales view against pos.lengolf_sales over a date range, source and view value), computed without reading the whole table: what pos.drift_alert compares.';
REVOKE ALL ON FUNCTION pos.drift_checks(date, date) FROM PUBLIC;
-- No grant: it reads the sales table; readers get its verdict through pos.drift_alert_rows, run as the owner.

-- What mv_ops knows a view has not seen: a base table changed after the snapshot of its last success, an upstream view
-- refreshed after it, the day turned (date-relative views), it holds no data yet; through the managed views it reads.
-- Exact, where mv_ops.freshness.lag_seconds is rounded (a change a few milliseconds old reads 0 there).
CREATE OR REPLACE FUNCTION mv_ops.unseen_changes_at(at timestamptz)
RETURNS TABLE (view_name text, pack text, unseen_change boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- Catalog joins are estimated at thousands of rows; JIT would spend seconds compiling for a handful.
SET jit = off
AS $$
  WITH RECURSIVE st AS (SELECT * FROM mv_ops.view_state_at(at)),
  ups(view_id, up_id) AS (
    SELECT m.view_id, m.view_id FROM mv_ops.managed_view m
    UNION
    SELECT u.view_id, vs.upstream_view_id FROM ups u
    JOIN mv_ops.view_source vs ON vs.view_id = u.up_id AND vs.kind = 'managed_view'
  ),
  unseen AS (
    SELECT u.view_id,
           bool_or(s.sources_changed OR s.upstream_newer OR s.day_turned OR NOT s.populated
                   OR s.last_success_started IS NULL) AS unseen_change
    FROM ups u JOIN st s ON s.view_id = u.up_id
    GROUP BY u.view_id
  )
  SELECT mv_ops.qualified_name(m), m.pack, n.unseen_change
  FROM mv_ops.managed_view m JOIN unseen n USING (view_id);
$$;
COMMENT ON FUNCTION mv_ops.unseen_changes_at(timestamptz) IS
  'For each managed view at a moment: whether mv_ops knows of a change it has not seen (sources changed after its last success, an upstream view refreshed after it, the day turned, never populated), through the managed views it reads.';
REVOKE ALL ON FUNCTION mv_ops.unseen_changes_at(timestamptz) FROM PUBLIC;
-- No grant: pos.drift_alert_rows calls it as the owner.

CREATE OR REPLACE FUNCTION pos.drift_alert_rows()
RETURNS TABLE (view_name text, pack text, mismatched_metrics float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $$
DECLARE
  last_day date;
BEGIN
  SELECT max(s.date) INTO last_day FROM pos.lengolf_sales s WHERE NOT s.is_voided;
  IF last_day IS NULL THEN
    RETURN; -- no sales yet: nothing to compare
  END IF;
  -- A view with a change it has not seen is expected to disagree: that is lag, the freshness rule's business.
  RETURN QUERY
  SELECT u.view_name, u.pack,
         CASE WHEN u.unseen_change THEN 0
              ELSE count(*) FILTER (WHERE COALESCE(c.source_value, 0) <> COALESCE(c.view_value, 0)) END::float8
  FROM pos.drift_checks(last_day - 6, last_day) c
  JOIN mv_ops.unseen_changes_at(mv_ops.now()) u ON u.view_name = 'pos.' || c.view_name
  GROUP BY u.view_name, u.pack, u.unseen_change
  ORDER BY u.view_name;
EXCEPTION WHEN object_not_in_prerequisite_state THEN
  -- A compared view holds no data (never refreshed, or between the drop and refresh of an emergency rebuild):
  -- nothing to compare, and the freshness rule reports it never refreshed.
  RETURN;
END
$$;
COMMENT ON FUNCTION pos.drift_alert_rows() IS
  'Rows of pos.drift_alert: per sales view, how many pos.validate_views metrics over the last 7 days of sales disagree with pos.lengolf_sales, counted only while mv_ops knows of no change the view has not seen (else 0). Run with the owner''s rights; returns counts only.';
REVOKE ALL ON FUNCTION pos.drift_alert_rows() FROM PUBLIC;

-- Over a function, not the views: a plain view on a materialized view would block the emergency rebuild's DROP.
CREATE OR REPLACE VIEW pos.drift_alert AS
SELECT d.view_name AS view, d.pack, d.mismatched_metrics FROM pos.drift_alert_rows() d;
COMMENT ON VIEW pos.drift_alert IS
  'Grafana alert shape for the drift rule (labels view, pack; one number): mismatched_metrics > 0 when a sales view disagrees with pos.lengolf_sales over the last 7 days of sales although mv_ops reports nothing it has not seen. A lagging view reads 0.';
REVOKE ALL ON pos.drift_alert FROM PUBLIC;

-- Every tick of a scheduler (pg_cron's mv_ops_run_due job, the refresh service's tick, any CALL mv_ops.run_due()) stamps
-- last_schedule_check on the enabled views it checks (mv_ops.claim_due), before it refreshes anything.
CREATE OR REPLACE VIEW mv_ops.scheduler_alert AS
SELECT m.pack,
       GREATEST(0, extract(epoch FROM mv_ops.now() - max(COALESCE(m.last_schedule_check, m.registered_at))))::float8
         AS seconds_since_check
FROM mv_ops.managed_view m
WHERE m.enabled
GROUP BY m.pack;
COMMENT ON VIEW mv_ops.scheduler_alert IS
  'Grafana alert shape for the no-scheduler rule (label pack; one number): seconds since a scheduled tick (CALL mv_ops.run_due(), by pg_cron or the refresh service) last checked the pack''s enabled views, or since they were registered if none ever did. Packs whose views are all paused have no row.';
REVOKE ALL ON mv_ops.scheduler_alert FROM PUBLIC;

-- Grants.
-- The drift alert rule (sales & operations data source, 0096's role) reads the verdict (counts only, never pos.view_drift
-- or the table); the function behind the view is checked against the querying role. Not mv_ops_reader: it makes the
-- owner read the source.
GRANT EXECUTE ON FUNCTION pos.drift_alert_rows() TO matviewops_sales_reader;
GRANT SELECT ON pos.drift_alert TO matviewops_sales_reader;
-- The no-scheduler alert rule reads it; status like mv_ops.freshness_alert, so every reader of mv_ops status may
-- (the view reads mv_ops.managed_view with the owner's rights).
GRANT SELECT ON mv_ops.scheduler_alert TO mv_ops_reader;
