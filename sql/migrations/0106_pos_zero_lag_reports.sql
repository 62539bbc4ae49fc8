-- 0106: zero-lag reads for the weekly and monthly reports: the week and the month containing today (when the
-- range holds them whole) are computed from the stored days plus today's live tail, like the dashboard summary.
-- Up Migration
CREATE OR REPLACE FUNCTION pos.live_period_figures(period_start date, period_end date, tail pos.live_tail)
RETURNS TABLE (active_days bigint, revenue numeric, profit numeric, transactions numeric, sim_usage numeric,
               bay_hours numeric, customers bigint, new_customers numeric, retention numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RETURN QUERY
  WITH d AS (SELECT * FROM pos.days_now(period_start, period_end, tail)),
  -- Mean daily retention over the days with identified customers: stored days, and today's from the tail.
  rates AS (
    SELECT c.retention_rate_pct AS rate FROM pos.mv_customer_analytics c
    WHERE c.date BETWEEN period_start AND period_end AND c.date IS DISTINCT FROM tail.day
    UNION ALL
    SELECT round(count(*) FILTER (WHERE p IS NOT NULL)::numeric / count(*) * 100, 2)
    FROM unnest(tail.previous_visits) p
    WHERE tail.day BETWEEN period_start AND period_end
    HAVING count(*) > 0
  )
  SELECT count(*), sum(d.total_revenue), sum(d.total_profit), sum(d.total_transactions)::numeric,
         sum(d.sim_usage_count)::numeric, sum(d.sim_capacity_hours),
         pos.unique_customers_with(period_start, period_end, tail), COALESCE(sum(d.new_customers), 0)::numeric,
         (SELECT round(avg(r.rate), 2) FROM rates r)
  FROM d;
END
$$;
COMMENT ON FUNCTION pos.live_period_figures(date, date, pos.live_tail) IS
  'A week''s or month''s report figures from the stored days with today from the live tail: totals, exact distinct customers, new customers and mean daily retention.';

CREATE OR REPLACE FUNCTION pos.live_week_report(week_start date, tail pos.live_tail)
RETURNS json
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT json_build_object(
    'week', to_char(week_start, 'IYYY-"W"IW'), 'weekRange', to_char(week_start, 'YYYY-MM-DD') || ' - ' || to_char(week_start + 6, 'YYYY-MM-DD'),
    'totalRevenue', f.revenue, 'grossProfit', f.profit, 'transactionCount', f.transactions,
    'uniqueCustomers', f.customers, 'newCustomers', f.new_customers,
    'avgTransactionValue', round(f.revenue / NULLIF(f.transactions, 0), 2),
    'grossMarginPct', round(f.profit / NULLIF(f.revenue, 0) * 100, 2),
    'simUtilizationPct', round(f.sim_usage / f.bay_hours * 100, 2), 'simUsageCount', f.sim_usage,
    'customerRetentionRate', f.retention, 'avgTransactionsPerDay', round(f.transactions / f.active_days, 2),
    'revenueGrowth', CASE WHEN p.total_revenue > 0 THEN round((f.revenue - p.total_revenue) / p.total_revenue * 100, 2) END,
    'profitGrowth', CASE WHEN p.total_profit > 0 THEN round((f.profit - p.total_profit) / p.total_profit * 100, 2) END,
    'customerGrowth', CASE WHEN p.total_customers > 0 THEN round((f.customers - p.total_customers)::numeric / p.total_customers * 100, 2) END)
  FROM pos.live_period_figures(week_start, week_start + 6, tail) f
  LEFT JOIN pos.mv_weekly_sales_summary p ON p.week_start_date = week_start - 7
  WHERE f.active_days > 0
$$;
COMMENT ON FUNCTION pos.live_week_report(date, pos.live_tail) IS 'The weekly report row (get_weekly_reports_mv keys) of the week containing today, with today live; NULL without sales.';

CREATE OR REPLACE FUNCTION pos.live_month_report(month_start date, tail pos.live_tail)
RETURNS json
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  WITH weeks AS (
    -- The ISO weeks starting in the month and their revenue, the week containing today with today live.
    SELECT w.week_number, w.total_revenue FROM pos.mv_weekly_sales_summary w
    WHERE w.week_start_date >= month_start AND w.week_start_date < (month_start + interval '1 month')::date
      AND w.week_start_date IS DISTINCT FROM date_trunc('week', tail.day)::date
    UNION ALL
    SELECT to_char(lw.ws, 'IYYY-"W"IW'), lf.revenue
    FROM (SELECT date_trunc('week', tail.day)::date AS ws) lw
    CROSS JOIN LATERAL pos.live_period_figures(lw.ws, lw.ws + 6, tail) lf
    WHERE lw.ws >= month_start AND lw.ws < (month_start + interval '1 month')::date AND lf.active_days > 0
  )
  SELECT json_build_object(
    'month', to_char(month_start, 'YYYY-MM'), 'monthName', to_char(month_start, 'FMMonth YYYY'),
    'totalRevenue', f.revenue, 'grossProfit', f.profit, 'transactionCount', f.transactions,
    'uniqueCustomers', f.customers, 'newCustomers', f.new_customers,
    'avgTransactionValue', round(f.revenue / NULLIF(f.transactions, 0), 2),
    'grossMarginPct', round(f.profit / NULLIF(f.revenue, 0) * 100, 2),
    'simUtilizationPct', round(f.sim_usage / f.bay_hours * 100, 2), 'simUsageCount', f.sim_usage,
    'customerRetentionRate', f.retention, 'avgTransactionsPerDay', round(f.transactions / f.active_days, 2),
    'workingDays', f.active_days,
    'peakWeek', (SELECT w.week_number FROM weeks w ORDER BY w.total_revenue DESC, w.week_number LIMIT 1),
    'lowWeek', (SELECT w.week_number FROM weeks w ORDER BY w.total_revenue ASC, w.week_number LIMIT 1),
    'revenueGrowth', CASE WHEN p.total_revenue > 0 THEN round((f.revenue - p.total_revenue) / p.total_revenue * 100, 2) END,
    'profitGrowth', CASE WHEN p.total_profit > 0 THEN round((f.profit - p.total_profit) / p.total_profit * 100, 2) END,
    'customerGrowth', CASE WHEN p.total_customers > 0 THEN round((f.customers - p.total_customers)::numeric / p.total_customers * 100, 2) END)
  FROM pos.live_period_figures(month_start, (month_start + interval '1 month' - interval '1 day')::date, tail) f
  LEFT JOIN pos.mv_monthly_sales_summary p ON p.month_start_date = (month_start - interval '1 month')::date
  WHERE f.active_days > 0
$$;
COMMENT ON FUNCTION pos.live_month_report(date, pos.live_tail) IS 'The monthly report row (get_monthly_reports_mv keys) of the month containing today, with today live (its peak and lowest week too); NULL without sales.';

CREATE OR REPLACE FUNCTION pos.get_weekly_reports_mv(start_date date, end_date date)
RETURNS json
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  live_week date := date_trunc('week', pos.live_tail_day())::date;
  tail pos.live_tail;
BEGIN
  PERFORM pos.check_date_range(start_date, end_date, 'the report range');
  -- Only a week the range holds whole is reported; that one is then computed with today live.
  IF live_week IS NOT NULL AND live_week >= start_date AND live_week + 6 <= end_date THEN
    tail := pos.live_tail_for(live_week, live_week + 6);
  ELSE
    live_week := NULL;
  END IF;
  RETURN (
    SELECT COALESCE(json_agg(r.j ORDER BY r.k), '[]') FROM (
      SELECT w.week_start_date AS k, json_build_object(
        'week', w.week_number, 'weekRange', w.week_range, 'totalRevenue', w.total_revenue, 'grossProfit', w.total_profit,
        'transactionCount', w.total_transactions, 'uniqueCustomers', w.total_customers, 'newCustomers', w.new_customers,
        'avgTransactionValue', w.avg_transaction_value, 'grossMarginPct', w.gross_margin_pct,
        'simUtilizationPct', w.sim_utilization_pct, 'simUsageCount', w.sim_usage_count,
        'customerRetentionRate', w.customer_retention_rate, 'avgTransactionsPerDay', w.avg_transactions_per_day,
        'revenueGrowth', w.revenue_growth_pct, 'profitGrowth', w.profit_growth_pct, 'customerGrowth', w.customer_growth_pct) AS j
      FROM pos.mv_weekly_reports_cache w
      WHERE w.week_start_date >= start_date AND w.week_end_date <= end_date AND w.week_start_date IS DISTINCT FROM live_week
      UNION ALL
      SELECT live_week, l.j FROM (SELECT pos.live_week_report(live_week, tail) AS j) l WHERE live_week IS NOT NULL AND l.j IS NOT NULL
    ) r);
END
$$;
COMMENT ON FUNCTION pos.get_weekly_reports_mv(date, date) IS
  'Weekly report rows for the ISO weeks lying wholly inside the range, from pos.mv_weekly_reports_cache; with zero-lag reads, the week containing today is computed with today live.';

CREATE OR REPLACE FUNCTION pos.get_monthly_reports_mv(start_date date, end_date date)
RETURNS json
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  today date := pos.live_tail_day();
  week_start date := date_trunc('week', today)::date;
  -- Today's month, and the month today's week started in: its peak or lowest week may be today's.
  live_months date[];
  tail pos.live_tail;
BEGIN
  PERFORM pos.check_date_range(start_date, end_date, 'the report range');
  live_months := ARRAY(SELECT DISTINCT m FROM unnest(ARRAY[date_trunc('month', today)::date, date_trunc('month', week_start)::date]) m
                       WHERE m >= start_date AND (m + interval '1 month - 1 day')::date <= end_date ORDER BY m);
  IF cardinality(live_months) > 0 THEN
    tail := pos.live_tail_for(week_start, today);
  END IF;
  RETURN (
    SELECT COALESCE(json_agg(r.j ORDER BY r.k), '[]') FROM (
      SELECT m.month_start_date AS k, json_build_object(
        'month', m.month_number, 'monthName', m.month_name, 'totalRevenue', m.total_revenue, 'grossProfit', m.total_profit,
        'transactionCount', m.total_transactions, 'uniqueCustomers', m.total_customers, 'newCustomers', m.new_customers,
        'avgTransactionValue', m.avg_transaction_value, 'grossMarginPct', m.gross_margin_pct,
        'simUtilizationPct', m.sim_utilization_pct, 'simUsageCount', m.sim_usage_count,
        'customerRetentionRate', m.customer_retention_rate, 'avgTransactionsPerDay', m.avg_transactions_per_day,
        'workingDays', m.working_days, 'peakWeek', m.peak_week, 'lowWeek', m.lowest_week,
        'revenueGrowth', m.revenue_growth_pct, 'profitGrowth', m.profit_growth_pct, 'customerGrowth', m.customer_growth_pct) AS j
      FROM pos.mv_monthly_reports_cache m
      WHERE m.month_start_date >= start_date AND m.month_end_date <= end_date AND m.month_start_date <> ALL (live_months)
      UNION ALL
      SELECT l.m, l.j FROM (SELECT lm AS m, pos.live_month_report(lm, tail) AS j FROM unnest(live_months) lm) l
      WHERE l.j IS NOT NULL
    ) r);
END
$$;
COMMENT ON FUNCTION pos.get_monthly_reports_mv(date, date) IS
  'Monthly report rows for the calendar months lying wholly inside the range, from pos.mv_monthly_reports_cache; with zero-lag reads, the month containing today, and the month its ISO week started in (peak and lowest week), are computed with today live.';

REVOKE ALL ON FUNCTION pos.live_period_figures(date, date, pos.live_tail), pos.live_week_report(date, pos.live_tail),
  pos.live_month_report(date, pos.live_tail) FROM PUBLIC;
-- Readers of the report functions (which run with their rights) compute the live week and month through them.
GRANT EXECUTE ON FUNCTION pos.live_period_figures(date, date, pos.live_tail), pos.live_week_report(date, pos.live_tail),
  pos.live_month_report(date, pos.live_tail) TO mv_ops_reader;

-- The weekly and monthly report caches' current period is read live too now.
CREATE OR REPLACE PROCEDURE pos.set_zero_lag_reads(live boolean)
LANGUAGE plpgsql
AS $$
BEGIN
  IF live IS NULL THEN
    RAISE EXCEPTION 'zero-lag reads need true or false' USING ERRCODE = '22004';
  END IF;
  UPDATE pos.setting SET value = CASE WHEN live THEN 'on' ELSE 'off' END WHERE name = 'zero_lag_reads';
  UPDATE mv_ops.managed_view SET zero_lag = live
  WHERE schema_name = 'pos' AND view_name IN ('mv_daily_sales_summary', 'mv_customer_analytics',
                                              'mv_weekly_reports_cache', 'mv_monthly_reports_cache');
END
$$;
COMMENT ON PROCEDURE pos.set_zero_lag_reads(boolean) IS
  'Turns zero-lag reads of the report functions on or off (pos.setting zero_lag_reads) and shows it in mv_ops.freshness: zero_lag on the daily summary and customer analytics (the dashboard summary''s today) and the weekly and monthly report caches (their current week and month).';
REVOKE ALL ON PROCEDURE pos.set_zero_lag_reads(boolean) FROM PUBLIC;
-- No grant: a configuration change, the owner's.

DO $$
DECLARE
  live boolean := (SELECT s.value = 'on' FROM pos.setting s WHERE s.name = 'zero_lag_reads');
BEGIN
  -- As the setting stands (on unless someone turned it off since 0105).
  CALL pos.set_zero_lag_reads(live);
END
$$;
