-- 0029: sales pack validation (the seed's migration checklist): each view against the sales table, PASS/FAIL per metric with both values.
-- Up Migration
CREATE OR REPLACE FUNCTION pos.validate_views(from_date date, to_date date DEFAULT NULL)
RETURNS TABLE (view_name text, metric text, source_value numeric, view_value numeric, result text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  upto date := COALESCE(to_date, from_date);
BEGIN
  PERFORM pos.check_date_range(from_date, upto, 'the validation range');
  RETURN QUERY
  WITH src AS (SELECT * FROM pos.live_days(from_date, upto)),
  cust AS (SELECT * FROM pos.live_customer_days(from_date, upto)),
  daily AS (SELECT * FROM pos.mv_daily_sales_summary d WHERE d.date BETWEEN from_date AND upto),
  checks(view_name, metric, source_value, view_value) AS (
    SELECT 'mv_daily_sales_summary', 'total_revenue', (SELECT sum(revenue) FROM src), (SELECT sum(total_revenue) FROM daily)
    UNION ALL SELECT 'mv_daily_sales_summary', 'total_transactions', (SELECT sum(transactions) FROM src), (SELECT sum(total_transactions) FROM daily)
    UNION ALL SELECT 'mv_daily_sales_summary', 'sim_usage_count', (SELECT sum(sim_usage) FROM src), (SELECT sum(sim_usage_count) FROM daily)
    UNION ALL SELECT 'mv_daily_sales_summary', 'days_with_sales', (SELECT count(*) FROM src), (SELECT count(*) FROM daily)
    UNION ALL SELECT 'mv_daily_sales_summary', 'customer_days', (SELECT count(*) FROM cust), (SELECT sum(total_customers) FROM daily)
    UNION ALL SELECT 'mv_customer_analytics', 'new_customers', (SELECT count(*) FILTER (WHERE is_new) FROM cust),
                     (SELECT sum(c.new_customers) FROM pos.mv_customer_analytics c WHERE c.date BETWEEN from_date AND upto)
    UNION ALL SELECT 'mv_customer_daily_visits', 'unique_customers', (SELECT count(DISTINCT customer_key) FROM cust),
                     (SELECT count(DISTINCT v.customer_key) FROM pos.mv_customer_daily_visits v WHERE v.date BETWEEN from_date AND upto)
    UNION ALL SELECT 'mv_product_performance', 'total_revenue', (SELECT sum(revenue) FROM src),
                     (SELECT sum(p.total_revenue) FROM pos.mv_product_performance p WHERE p.date BETWEEN from_date AND upto)
    UNION ALL SELECT 'mv_weekly_sales_summary', 'total_revenue', (SELECT sum(revenue) FROM src),
                     (SELECT sum(w.total_revenue) FROM pos.mv_weekly_sales_summary w
                      WHERE w.week_end_date >= from_date AND w.week_start_date <= upto)
                     - (SELECT COALESCE(sum(d.total_revenue), 0) FROM pos.mv_daily_sales_summary d
                        WHERE d.date < from_date AND d.date >= date_trunc('week', from_date)
                           OR d.date > upto AND d.date <= date_trunc('week', upto)::date + 6)
    UNION ALL SELECT 'mv_monthly_sales_summary', 'total_revenue', (SELECT sum(revenue) FROM src),
                     (SELECT sum(m.total_revenue) FROM pos.mv_monthly_sales_summary m
                      WHERE m.month_end_date >= from_date AND m.month_start_date <= upto)
                     - (SELECT COALESCE(sum(d.total_revenue), 0) FROM pos.mv_daily_sales_summary d
                        WHERE d.date < from_date AND d.date >= date_trunc('month', from_date)
                           OR d.date > upto AND d.date < date_trunc('month', upto) + interval '1 month')
  )
  SELECT c.view_name, c.metric, c.source_value, c.view_value,
         CASE WHEN COALESCE(c.source_value, 0) = COALESCE(c.view_value, 0) THEN 'PASS' ELSE 'FAIL' END
  FROM checks c;
END
$$;
COMMENT ON FUNCTION pos.validate_views(date, date) IS
  'Compares the sales views with pos.lengolf_sales over a date (or range): one row per view and metric with both values and PASS/FAIL. A FAIL means a view lags its source (or is wrong).';

CREATE OR REPLACE VIEW pos.validation_alert AS
SELECT v.view_name AS view, v.metric, CASE v.result WHEN 'PASS' THEN 0 ELSE 1 END::float8 AS mismatch
-- The last day comes from the source: a plain view on a materialized view would block rebuilding it.
FROM (SELECT max(s.date) AS last_day FROM pos.lengolf_sales s WHERE NOT s.is_voided) l
CROSS JOIN LATERAL pos.validate_views(COALESCE(l.last_day, current_date) - 6, COALESCE(l.last_day, current_date)) v;
COMMENT ON VIEW pos.validation_alert IS
  'Grafana alert shape (labels view, metric; one number): mismatch = 1 when a view disagrees with the sales table over the last 7 days of data.';
