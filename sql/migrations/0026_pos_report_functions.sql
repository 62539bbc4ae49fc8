-- 0026: sales pack weekly and monthly report functions from the report caches (seed names and JSON keys).
-- Up Migration
CREATE OR REPLACE FUNCTION pos.get_weekly_reports_mv(start_date date, end_date date)
RETURNS json
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM pos.check_date_range(start_date, end_date, 'the report range');
  RETURN (
    SELECT COALESCE(json_agg(json_build_object(
      'week', w.week_number, 'weekRange', w.week_range, 'totalRevenue', w.total_revenue, 'grossProfit', w.total_profit,
      'transactionCount', w.total_transactions, 'uniqueCustomers', w.total_customers, 'newCustomers', w.new_customers,
      'avgTransactionValue', w.avg_transaction_value, 'grossMarginPct', w.gross_margin_pct,
      'simUtilizationPct', w.sim_utilization_pct, 'simUsageCount', w.sim_usage_count,
      'customerRetentionRate', w.customer_retention_rate, 'avgTransactionsPerDay', w.avg_transactions_per_day,
      'revenueGrowth', w.revenue_growth_pct, 'profitGrowth', w.profit_growth_pct, 'customerGrowth', w.customer_growth_pct
    ) ORDER BY w.year, w.week), '[]')
    FROM pos.mv_weekly_reports_cache w
    WHERE w.week_start_date >= get_weekly_reports_mv.start_date AND w.week_end_date <= get_weekly_reports_mv.end_date);
END
$$;
COMMENT ON FUNCTION pos.get_weekly_reports_mv(date, date) IS 'Weekly report rows for the ISO weeks lying wholly inside the range, from pos.mv_weekly_reports_cache.';

CREATE OR REPLACE FUNCTION pos.get_monthly_reports_mv(start_date date, end_date date)
RETURNS json
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM pos.check_date_range(start_date, end_date, 'the report range');
  RETURN (
    SELECT COALESCE(json_agg(json_build_object(
      'month', m.month_number, 'monthName', m.month_name, 'totalRevenue', m.total_revenue, 'grossProfit', m.total_profit,
      'transactionCount', m.total_transactions, 'uniqueCustomers', m.total_customers, 'newCustomers', m.new_customers,
      'avgTransactionValue', m.avg_transaction_value, 'grossMarginPct', m.gross_margin_pct,
      'simUtilizationPct', m.sim_utilization_pct, 'simUsageCount', m.sim_usage_count,
      'customerRetentionRate', m.customer_retention_rate, 'avgTransactionsPerDay', m.avg_transactions_per_day,
      'workingDays', m.working_days, 'peakWeek', m.peak_week, 'lowWeek', m.lowest_week,
      'revenueGrowth', m.revenue_growth_pct, 'profitGrowth', m.profit_growth_pct, 'customerGrowth', m.customer_growth_pct
    ) ORDER BY m.year, m.month), '[]')
    FROM pos.mv_monthly_reports_cache m
    WHERE m.month_start_date >= get_monthly_reports_mv.start_date AND m.month_end_date <= get_monthly_reports_mv.end_date);
END
$$;
COMMENT ON FUNCTION pos.get_monthly_reports_mv(date, date) IS 'Monthly report rows for the calendar months lying wholly inside the range, from pos.mv_monthly_reports_cache.';
