// What the sales property tests compare: every keyed aggregate's rows as text, the kinds of the last refresh run,
// and the venue's today (the day the tests' "days back" count from).
import type { Client } from 'pg';

export const SALES_AGGREGATES = [
  'mv_daily_sales_summary',
  'mv_customer_daily_visits',
  'mv_customer_analytics',
  'mv_product_performance',
  'mv_weekly_sales_summary',
  'mv_monthly_sales_summary',
  'mv_dashboard_summary_cache',
  'mv_weekly_reports_cache',
  'mv_monthly_reports_cache',
] as const;

/** Every aggregate's rows, as text, sorted: what a full recompute must reproduce. */
export async function aggregateRows(c: Client): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of SALES_AGGREGATES) {
    out[t] = (await c.query(`SELECT t::text AS r FROM pos.${t} t ORDER BY 1`)).rows.map((r) => r.r);
  }
  return out;
}

/** refresh_type:status of the last run's attempts, distinct: ['incremental:succeeded'] after a quiet batch. */
export async function lastRunTypes(c: Client): Promise<string[]> {
  const { rows } = await c.query(`SELECT DISTINCT refresh_type || ':' || status AS t FROM mv_ops.refresh_log
                                  WHERE run_id = (SELECT max(run_id) FROM mv_ops.refresh_run) ORDER BY 1`);
  return rows.map((r) => r.t);
}

/** Today in the venue's time zone on the engine clock, as text. */
export async function venueToday(c: Client): Promise<string> {
  const { rows } = await c.query(
    `SELECT (mv_ops.now() AT TIME ZONE value)::date::text AS d FROM pos.setting WHERE name = 'time_zone'`
  );
  return rows[0].d;
}
