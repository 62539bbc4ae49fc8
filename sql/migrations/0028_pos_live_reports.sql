-- 0028: sales pack weekly and monthly reports computed live from pos.lengolf_sales (benchmark baseline and test reference).
-- Up Migration
CREATE OR REPLACE FUNCTION pos.live_period_rows(grain text)
RETURNS TABLE (period_start date, period_end date, active_days bigint, revenue numeric, profit numeric,
               transactions numeric, sim_usage numeric, bay_hours numeric, customers bigint, new_customers bigint,
               retention numeric)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  WITH days AS (SELECT * FROM pos.live_days('-infinity', 'infinity')),
  cust AS (SELECT * FROM pos.live_customer_days('-infinity', 'infinity')),
  rates AS (
    SELECT c.date, count(*) FILTER (WHERE c.is_new) AS new_customers,
           round(count(*) FILTER (WHERE NOT c.is_new)::numeric / count(*) * 100, 2) AS rate
    FROM cust c GROUP BY c.date
  )
  SELECT p.start, (p.start + CASE grain WHEN 'week' THEN interval '6 days' ELSE interval '1 month' - interval '1 day' END)::date,
         count(*), sum(d.revenue), sum(d.profit), sum(d.transactions), sum(d.sim_usage), sum(d.bay_hours),
         (SELECT count(DISTINCT c.customer_key) FROM cust c WHERE date_trunc(grain, c.date)::date = p.start),
         COALESCE((SELECT sum(r.new_customers) FROM rates r WHERE date_trunc(grain, r.date)::date = p.start), 0),
         (SELECT round(avg(r.rate), 2) FROM rates r WHERE date_trunc(grain, r.date)::date = p.start)
  FROM days d CROSS JOIN LATERAL (SELECT date_trunc(grain, d.date)::date AS start) p
  GROUP BY p.start
$$;
COMMENT ON FUNCTION pos.live_period_rows(text) IS 'Per week (ISO, Monday start) or month: totals, distinct customers, new customers and mean daily retention, from the sales table.';

CREATE OR REPLACE FUNCTION pos.get_weekly_reports_live(start_date date, end_date date)
RETURNS json
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM pos.check_date_range(start_date, end_date, 'the report range');
  RETURN (
    WITH w AS (SELECT * FROM pos.live_period_rows('week'))
    SELECT COALESCE(json_agg(json_build_object(
      'week', to_char(w.period_start, 'IYYY-"W"IW'), 'weekRange', w.period_start || ' - ' || w.period_end,
      'totalRevenue', w.revenue, 'grossProfit', w.profit, 'transactionCount', w.transactions,
      'uniqueCustomers', w.customers, 'newCustomers', w.new_customers,
      'avgTransactionValue', round(w.revenue / NULLIF(w.transactions, 0), 2),
      'grossMarginPct', round(w.profit / NULLIF(w.revenue, 0) * 100, 2),
      'simUtilizationPct', round(w.sim_usage / w.bay_hours * 100, 2), 'simUsageCount', w.sim_usage,
      'customerRetentionRate', w.retention, 'avgTransactionsPerDay', round(w.transactions / w.active_days, 2),
      'revenueGrowth', CASE WHEN p.revenue > 0 THEN round((w.revenue - p.revenue) / p.revenue * 100, 2) END,
      'profitGrowth', CASE WHEN p.profit > 0 THEN round((w.profit - p.profit) / p.profit * 100, 2) END,
      'customerGrowth', CASE WHEN p.customers > 0 THEN round((w.customers - p.customers)::numeric / p.customers * 100, 2) END
    ) ORDER BY w.period_start), '[]')
    FROM w LEFT JOIN w p ON p.period_start = w.period_start - 7
    WHERE w.period_start >= start_date AND w.period_end <= end_date);
END
$$;
COMMENT ON FUNCTION pos.get_weekly_reports_live(date, date) IS 'pos.get_weekly_reports_mv computed from the sales table alone.';

CREATE OR REPLACE FUNCTION pos.get_monthly_reports_live(start_date date, end_date date)
RETURNS json
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM pos.check_date_range(start_date, end_date, 'the report range');
  RETURN (
    WITH m AS (SELECT * FROM pos.live_period_rows('month')),
    weeks AS (SELECT * FROM pos.live_period_rows('week'))
    SELECT COALESCE(json_agg(json_build_object(
      'month', to_char(m.period_start, 'YYYY-MM'), 'monthName', to_char(m.period_start, 'FMMonth YYYY'),
      'totalRevenue', m.revenue, 'grossProfit', m.profit, 'transactionCount', m.transactions,
      'uniqueCustomers', m.customers, 'newCustomers', m.new_customers,
      'avgTransactionValue', round(m.revenue / NULLIF(m.transactions, 0), 2),
      'grossMarginPct', round(m.profit / NULLIF(m.revenue, 0) * 100, 2),
      'simUtilizationPct', round(m.sim_usage / m.bay_hours * 100, 2), 'simUsageCount', m.sim_usage,
      'customerRetentionRate', m.retention, 'avgTransactionsPerDay', round(m.transactions / m.active_days, 2),
      'workingDays', m.active_days,
      'peakWeek', (SELECT to_char(w.period_start, 'IYYY-"W"IW') FROM weeks w WHERE w.period_start BETWEEN m.period_start AND m.period_end
                   ORDER BY w.revenue DESC, w.period_start LIMIT 1),
      'lowWeek', (SELECT to_char(w.period_start, 'IYYY-"W"IW') FROM weeks w WHERE w.period_start BETWEEN m.period_start AND m.period_end
                  ORDER BY w.revenue ASC, w.period_start LIMIT 1),
      'revenueGrowth', CASE WHEN p.revenue > 0 THEN round((m.revenue - p.revenue) / p.revenue * 100, 2) END,
      'profitGrowth', CASE WHEN p.profit > 0 THEN round((m.profit - p.profit) / p.profit * 100, 2) END,
      'customerGrowth', CASE WHEN p.customers > 0 THEN round((m.customers - p.customers)::numeric / p.customers * 100, 2) END
    ) ORDER BY m.period_start), '[]')
    FROM m LEFT JOIN m p ON p.period_start = (m.period_start - interval '1 month')::date
    WHERE m.period_start >= start_date AND m.period_end <= end_date);
END
$$;
COMMENT ON FUNCTION pos.get_monthly_reports_live(date, date) IS 'pos.get_monthly_reports_mv computed from the sales table alone.';
