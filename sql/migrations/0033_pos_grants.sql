-- 0033: sales pack privileges: nothing for PUBLIC; readers get the views and report functions, operators the refresh procedures.
-- Up Migration
REVOKE ALL ON ALL TABLES IN SCHEMA pos FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA pos FROM PUBLIC;
REVOKE ALL ON ALL PROCEDURES IN SCHEMA pos FROM PUBLIC;

-- Dashboards (Grafana's data source login) read the views and call the view-based report functions.
GRANT USAGE ON SCHEMA pos TO mv_ops_reader;
GRANT SELECT ON pos.mv_daily_sales_summary, pos.mv_customer_daily_visits, pos.mv_customer_analytics, pos.mv_product_performance,
  pos.mv_weekly_sales_summary, pos.mv_monthly_sales_summary, pos.mv_dashboard_summary_cache, pos.mv_weekly_reports_cache,
  pos.mv_monthly_reports_cache, pos.mv_freshness_monitor, pos.setting, pos.bay_capacity TO mv_ops_reader;
GRANT EXECUTE ON FUNCTION pos.check_date_range(date, date, text), pos.period_summary_mv(date, date), pos.period_trend_mv(date, date),
  pos.get_dashboard_summary_enhanced_mv(date, date, date, date), pos.get_weekly_reports_mv(date, date),
  pos.get_monthly_reports_mv(date, date), pos.check_mv_freshness(), pos.customer_key(text) TO mv_ops_reader;
-- Operators run the seed's refresh entry points (they delegate to mv_ops, which checks the rest).
GRANT EXECUTE ON PROCEDURE pos.refresh_all_mv(bigint), pos.manual_refresh_mv(text, json) TO mv_ops_operator;
GRANT EXECUTE ON FUNCTION pos.manual_refresh_targets(text) TO mv_ops_operator;
