-- 0123: the monthly summary's incremental refresh hands its fresh rows to mv_ops.apply_array (0122), as every
-- keyed routine through mv_ops.apply_keyed now does, instead of holding its two or three months in a temp table.
-- Up Migration

CREATE OR REPLACE FUNCTION pos.refresh_monthly_sales_summary()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  full_refresh boolean := pos.full_refresh();
  months date[];
  recount date[];
BEGIN
  IF full_refresh THEN
    months := pos.month_starts(ARRAY(SELECT d.date FROM pos.mv_daily_sales_summary d));
    recount := months;
  ELSE
    -- A changed week changes the peak/lowest week of the month it starts in.
    months := pos.month_starts(pos.changed_days('pos.mv_daily_sales_summary', 'pos.mv_customer_analytics',
                                                'pos.mv_weekly_sales_summary'));
    recount := pos.month_starts(pos.changed_days('pos.mv_customer_analytics'));
    IF cardinality(months) = 0 THEN
      RETURN;
    END IF;
    -- The keys as literals, as mv_ops.apply_keyed does: the rows function is inlined and planned for them.
    EXECUTE format('SELECT mv_ops.apply_array($1, $2, $3, ARRAY(SELECT r FROM pos.monthly_sales_summary_rows_known(%L::date[], %L::date[]) r))',
                   months, recount)
      USING 'pos.mv_monthly_sales_summary'::regclass, 'month_start_date'::name, months;
    RETURN;
  END IF;
  EXECUTE format('CREATE TEMP TABLE monthly_fresh ON COMMIT DROP AS SELECT * FROM pos.monthly_sales_summary_rows_known(%L::date[], %L::date[])',
                 months, recount);
  ANALYZE pg_temp.monthly_fresh;
  PERFORM mv_ops.apply_rows('pos.mv_monthly_sales_summary', 'month_start_date', 'pg_temp.monthly_fresh', months, full_refresh);
  DROP TABLE pg_temp.monthly_fresh;
END
$$;
COMMENT ON FUNCTION pos.refresh_monthly_sales_summary() IS
  'The refresh routine of pos.mv_monthly_sales_summary (registered in mv_ops, which calls it as the owner): full when mv_ops.refresh_mode is full, else the months whose days, customer analytics or weeks changed (mv_ops.refresh_keys), recounting customers only where customer analytics changed; writes only rows that differ (mv_ops.apply_rows for a full refresh, mv_ops.apply_array for an incremental one).';
