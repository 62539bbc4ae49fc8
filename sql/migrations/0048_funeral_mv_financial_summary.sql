-- 0048: mv_financial_summary (seed MV 6): payments of the current year per month and organisation.
-- Up Migration
CREATE MATERIALIZED VIEW IF NOT EXISTS funeral_mv.mv_financial_summary AS
SELECT date_trunc('month', p.created_at)::date AS month,
       o.id AS organization_id,
       o.name AS organization_name,
       count(*) AS total_transactions,
       sum(p.amount) AS total_processed_amount,
       COALESCE(sum(p.amount) FILTER (WHERE p.status = 'completed'), 0) AS successful_amount,
       COALESCE(sum(p.amount) FILTER (WHERE p.status = 'refunded'), 0) AS refunded_amount,
       count(*) FILTER (WHERE p.status = 'failed') AS failed_transactions,
       round(avg(p.amount), 2) AS avg_transaction_value,
       count(DISTINCT p.reservation_id) AS reservations_associated
FROM funeral.payments p
-- One reservation per payment (reservation ids are unique), so this join cannot fan out.
JOIN funeral.reservations r ON r.id = p.reservation_id
JOIN funeral.organizations o ON o.id = r.organization_id
WHERE p.created_at >= date_trunc('year', CURRENT_DATE)
GROUP BY 1, o.id, o.name;
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_financial_summary_month_org ON funeral_mv.mv_financial_summary (month, organization_id);
CREATE INDEX IF NOT EXISTS idx_mv_financial_summary_org ON funeral_mv.mv_financial_summary (organization_id, month);
COMMENT ON MATERIALIZED VIEW funeral_mv.mv_financial_summary IS
  'Seed MV 6: one row per month (first day, in the server time zone) and organisation for payments created this year: transactions, amounts processed / completed / refunded, failures, average payment, reservations paid. Read it through funeral.mv_financial_summary.';

SELECT mv_ops.register_view('funeral_mv.mv_financial_summary', 'funeral', 'Financial summary (payments this year by month)',
       schedule => '0 2 * * *', warn_after => '26 hours', error_after => '49 hours',
       date_relative => true, full_refresh_schedule => '0 3 * * 0');

CREATE OR REPLACE VIEW funeral.mv_financial_summary WITH (security_barrier) AS
SELECT d.* FROM funeral_mv.mv_financial_summary d
WHERE d.organization_id IN (SELECT organization_id FROM funeral_mv.caller_org WHERE org_role IN ('admin', 'manager'))
   OR EXISTS (SELECT 1 FROM funeral_mv.caller c WHERE c.platform_role = 'super_admin');
COMMENT ON VIEW funeral.mv_financial_summary IS 'Seed access rule: an organisation''s admins and managers see its rows (not its staff), super admins all.';
REVOKE ALL ON funeral_mv.mv_financial_summary, funeral.mv_financial_summary FROM PUBLIC;
-- Identified tenants read their rows; the view applies the rule.
GRANT SELECT ON funeral.mv_financial_summary TO funeral_authenticated, funeral_tenant;
