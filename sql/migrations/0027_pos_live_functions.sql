-- 0027: sales pack "live" functions: the same results computed from pos.lengolf_sales alone (the baseline the seed benchmarks, and the tests' reference).
-- Up Migration
CREATE OR REPLACE FUNCTION pos.live_days(from_date date, to_date date)
RETURNS TABLE (date date, revenue numeric, profit numeric, transactions bigint, sim_usage bigint, bay_hours numeric)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s.date, sum(s.sales_net), sum(s.gross_profit), count(DISTINCT s.receipt_number), sum(s.is_sim_usage),
         pos.bay_hours_on(s.date)
  FROM pos.lengolf_sales s
  WHERE NOT s.is_voided AND s.date BETWEEN from_date AND to_date
  GROUP BY s.date
$$;
COMMENT ON FUNCTION pos.live_days(date, date) IS 'Per-day totals straight from the sales table (live path).';

CREATE OR REPLACE FUNCTION pos.live_customer_days(from_date date, to_date date)
RETURNS TABLE (date date, customer_key text, is_new boolean)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  WITH firsts AS (
    SELECT pos.customer_key(s.customer_phone_number) AS k, min(s.date) AS first_date
    FROM pos.lengolf_sales s
    WHERE NOT s.is_voided AND pos.customer_key(s.customer_phone_number) IS NOT NULL
    GROUP BY 1
  )
  SELECT DISTINCT s.date, f.k, s.date = f.first_date
  FROM pos.lengolf_sales s JOIN firsts f ON f.k = pos.customer_key(s.customer_phone_number)
  WHERE NOT s.is_voided AND s.date BETWEEN from_date AND to_date
$$;
COMMENT ON FUNCTION pos.live_customer_days(date, date) IS 'Identified customers per day, flagged new on their first purchase ever (live path).';

CREATE OR REPLACE FUNCTION pos.get_dashboard_summary_live(
  start_date date, end_date date, comparison_start_date date, comparison_end_date date)
RETURNS json
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  periods json[];
  p record;
BEGIN
  PERFORM pos.check_date_range(start_date, end_date, 'the period');
  PERFORM pos.check_date_range(comparison_start_date, comparison_end_date, 'the comparison period');
  FOR p IN SELECT * FROM (VALUES (1, start_date, end_date), (2, comparison_start_date, comparison_end_date)) v(n, f, t) ORDER BY n LOOP
    periods := periods || (
      SELECT json_build_object(
        'total_revenue', COALESCE(sum(d.revenue), 0), 'gross_profit', COALESCE(sum(d.profit), 0),
        'transaction_count', COALESCE(sum(d.transactions), 0),
        'unique_customers', (SELECT count(DISTINCT c.customer_key) FROM pos.live_customer_days(p.f, p.t) c),
        'avg_transaction_value', round(sum(d.revenue) / NULLIF(sum(d.transactions), 0), 2),
        'gross_margin_pct', round(sum(d.profit) / NULLIF(sum(d.revenue), 0) * 100, 2),
        'sim_utilization_pct', round(sum(d.sim_usage) / NULLIF(sum(d.bay_hours), 0) * 100, 2),
        'sim_utilization_count', COALESCE(sum(d.sim_usage), 0),
        'new_customers', (SELECT count(*) FROM pos.live_customer_days(p.f, p.t) c WHERE c.is_new))
      FROM pos.live_days(p.f, p.t) d);
  END LOOP;
  RETURN json_build_object(
    'current_period', periods[1],
    'comparison_period', periods[2],
    'trend_data', (
      SELECT json_build_object(
        'revenue', COALESCE(json_agg(d.revenue ORDER BY d.date), '[]'),
        'profit', COALESCE(json_agg(d.profit ORDER BY d.date), '[]'),
        'utilization', COALESCE(json_agg(round(d.sim_usage / d.bay_hours * 100, 2) ORDER BY d.date), '[]'),
        'customers', COALESCE(json_agg(COALESCE(n.new_customers, 0) ORDER BY d.date), '[]'),
        'transaction', COALESCE(json_agg(round(d.revenue / NULLIF(d.transactions, 0), 2) ORDER BY d.date), '[]'),
        'margin', COALESCE(json_agg(round(d.profit / NULLIF(d.revenue, 0) * 100, 2) ORDER BY d.date), '[]'))
      FROM pos.live_days(start_date, end_date) d
      LEFT JOIN (SELECT c.date, count(*) FILTER (WHERE c.is_new) AS new_customers
                 FROM pos.live_customer_days(start_date, end_date) c GROUP BY c.date) n ON n.date = d.date));
END
$$;
COMMENT ON FUNCTION pos.get_dashboard_summary_live(date, date, date, date) IS
  'The dashboard summary computed from pos.lengolf_sales alone: what the seed''s original function did, and the reference the view-based function must equal.';
