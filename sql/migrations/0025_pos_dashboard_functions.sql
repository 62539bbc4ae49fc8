-- 0025: sales pack dashboard summary from the views (get_dashboard_summary_enhanced_mv, the seed's name and JSON keys).
-- Up Migration
CREATE OR REPLACE FUNCTION pos.check_date_range(from_date date, to_date date, label text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF from_date IS NULL OR to_date IS NULL THEN
    RAISE EXCEPTION '% needs both a start and an end date', label USING ERRCODE = '22004';
  ELSIF from_date > to_date THEN
    RAISE EXCEPTION '% starts on % after it ends on %', label, from_date, to_date USING ERRCODE = '22023';
  END IF;
END
$$;
COMMENT ON FUNCTION pos.check_date_range(date, date, text) IS 'Refuses a missing or reversed date range with a message naming it.';

CREATE OR REPLACE FUNCTION pos.period_summary_mv(from_date date, to_date date)
RETURNS json
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT json_build_object(
    'total_revenue', COALESCE(sum(ds.total_revenue), 0),
    'gross_profit', COALESCE(sum(ds.total_profit), 0),
    'transaction_count', COALESCE(sum(ds.total_transactions), 0),
    -- Distinct over the whole range: a customer who came on three days counts once.
    'unique_customers', (SELECT count(DISTINCT id) FROM pos.mv_customer_analytics c, unnest(c.customer_ids) id
                         WHERE c.date BETWEEN from_date AND to_date),
    'avg_transaction_value', round(sum(ds.total_revenue) / NULLIF(sum(ds.total_transactions), 0), 2),
    'gross_margin_pct', round(sum(ds.total_profit) / NULLIF(sum(ds.total_revenue), 0) * 100, 2),
    'sim_utilization_pct', round(sum(ds.sim_usage_count) / NULLIF(sum(ds.sim_capacity_hours), 0) * 100, 2),
    'sim_utilization_count', COALESCE(sum(ds.sim_usage_count), 0),
    'new_customers', COALESCE(sum(ca.new_customers), 0))
  FROM pos.mv_daily_sales_summary ds
  LEFT JOIN pos.mv_customer_analytics ca ON ca.date = ds.date
  WHERE ds.date BETWEEN from_date AND to_date
$$;
COMMENT ON FUNCTION pos.period_summary_mv(date, date) IS 'KPIs of a date range from the views: sums, exact distinct customers, exact SIM utilisation.';

CREATE OR REPLACE FUNCTION pos.period_trend_mv(from_date date, to_date date)
RETURNS json
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT json_build_object(
    'revenue', COALESCE(json_agg(ds.total_revenue ORDER BY ds.date), '[]'),
    'profit', COALESCE(json_agg(ds.total_profit ORDER BY ds.date), '[]'),
    'utilization', COALESCE(json_agg(ds.sim_utilization_pct ORDER BY ds.date), '[]'),
    'customers', COALESCE(json_agg(COALESCE(ca.new_customers, 0) ORDER BY ds.date), '[]'),
    'transaction', COALESCE(json_agg(ds.avg_transaction_value ORDER BY ds.date), '[]'),
    'margin', COALESCE(json_agg(ds.gross_margin_pct ORDER BY ds.date), '[]'))
  FROM pos.mv_daily_sales_summary ds
  LEFT JOIN pos.mv_customer_analytics ca ON ca.date = ds.date
  WHERE ds.date BETWEEN from_date AND to_date
$$;
COMMENT ON FUNCTION pos.period_trend_mv(date, date) IS 'Daily series over a date range (days with sales), from the views; customers = new customers that day.';

CREATE OR REPLACE FUNCTION pos.get_dashboard_summary_enhanced_mv(
  start_date date, end_date date, comparison_start_date date, comparison_end_date date)
RETURNS json
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM pos.check_date_range(start_date, end_date, 'the period');
  PERFORM pos.check_date_range(comparison_start_date, comparison_end_date, 'the comparison period');
  RETURN json_build_object(
    'current_period', pos.period_summary_mv(start_date, end_date),
    'comparison_period', pos.period_summary_mv(comparison_start_date, comparison_end_date),
    'trend_data', pos.period_trend_mv(start_date, end_date));
END
$$;
COMMENT ON FUNCTION pos.get_dashboard_summary_enhanced_mv(date, date, date, date) IS
  'The dashboard summary (seed 000 keys: current_period, comparison_period, trend_data) read from the materialized views.';
