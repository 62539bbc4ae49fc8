-- 0024: the sales views under mv_ops: schedules from the seed (15-minute current-day tier, weekly and monthly tiers, monthly full refresh).
-- Up Migration
DO $$
DECLARE
  tz text := (SELECT value FROM pos.setting WHERE name = 'time_zone');
BEGIN
  -- Current-day tier: considered every 15 minutes, refreshed when sales changed; stale after 15 minutes (the seed's target).
  PERFORM mv_ops.register_view('pos.mv_daily_sales_summary', 'sales', 'Daily sales KPIs', '*/15 * * * *',
    '15 minutes', '30 minutes', full_refresh_schedule => '0 3 1 * *', time_zone => tz);
  PERFORM mv_ops.register_view('pos.mv_customer_daily_visits', 'sales', 'Customers per day (supports exact distinct counts)', '*/15 * * * *',
    '15 minutes', '30 minutes', full_refresh_schedule => '0 3 1 * *', time_zone => tz);
  PERFORM mv_ops.register_view('pos.mv_customer_analytics', 'sales', 'New and returning customers per day', '*/15 * * * *',
    '15 minutes', '30 minutes', full_refresh_schedule => '0 3 1 * *', time_zone => tz);
  PERFORM mv_ops.register_view('pos.mv_product_performance', 'sales', 'Sales per product per day', '*/15 * * * *',
    '30 minutes', '2 hours', full_refresh_schedule => '0 3 1 * *', time_zone => tz);
  PERFORM mv_ops.register_view('pos.mv_dashboard_summary_cache', 'sales', 'Dashboard periods (daily, 7 and 30 days, month to date)', '*/15 * * * *',
    '15 minutes', '30 minutes', full_refresh_schedule => '0 3 1 * *', time_zone => tz);
  -- Weekly and monthly tiers: they follow the daily tier by cascade; their own schedule is the catch-up.
  PERFORM mv_ops.register_view('pos.mv_weekly_sales_summary', 'sales', 'ISO-week sales summary', '0 2 * * 0',
    '1 hour', '1 day', full_refresh_schedule => '0 3 1 * *', time_zone => tz);
  PERFORM mv_ops.register_view('pos.mv_weekly_reports_cache', 'sales', 'Weekly report rows', '0 2 * * 0',
    '1 hour', '1 day', full_refresh_schedule => '0 3 1 * *', time_zone => tz);
  PERFORM mv_ops.register_view('pos.mv_monthly_sales_summary', 'sales', 'Monthly sales summary', '0 3 1 * *',
    '1 hour', '1 day', full_refresh_schedule => '0 3 1 * *', time_zone => tz);
  PERFORM mv_ops.register_view('pos.mv_monthly_reports_cache', 'sales', 'Monthly report rows', '0 3 1 * *',
    '1 hour', '1 day', full_refresh_schedule => '0 3 1 * *', time_zone => tz);
END
$$;
