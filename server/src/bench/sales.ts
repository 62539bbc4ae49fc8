// Sales pack benchmark scenarios: the seed's dashboard call (30 days against the 30 before, ending yesterday and
// ending today) and the weekly/monthly reports over the last quarter / year of data, each from the views and live; then the
// 15-minute batch against a full refresh and the write path's trigger cost (salesWrites.ts).
import type { Client } from 'pg';
import { measureBatchRefresh, measureWritePath } from './salesWrites';
import type { BenchPack, BenchScenario } from './types';

/** The data's last day (YYYY-MM-DD), the day before it, and the 12 whole months before the last day's month. */
export interface SalesDates {
  end: string;
  yesterday: string;
  monthsFrom: string;
  monthsTo: string;
}

/**
 * The scenarios for data ending on `end`, today: the benchmark seeds the 478 days ending today, as a venue's
 * database is. The dashboard twice: its 30 days ending yesterday (the last whole day, read from the stored rows)
 * and ending today, which the pack's zero-lag reads compute live for today.
 */
export function salesScenarios({ end, yesterday, monthsFrom, monthsTo }: SalesDates): BenchScenario[] {
  const dashboard = (last: string) =>
    `'${last}'::date - 29, '${last}'::date, '${last}'::date - 59, '${last}'::date - 30`;
  return [
    {
      pack: 'sales',
      name: 'dashboard summary (30 days vs previous 30)',
      mvSql: `SELECT pos.get_dashboard_summary_enhanced_mv(${dashboard(yesterday)})`,
      liveSql: `SELECT pos.get_dashboard_summary_live(${dashboard(yesterday)})`,
      freshSession: true,
    },
    {
      pack: 'sales',
      name: 'dashboard summary to today (30 days vs previous 30)',
      mvSql: `SELECT pos.get_dashboard_summary_enhanced_mv(${dashboard(end)})`,
      liveSql: `SELECT pos.get_dashboard_summary_live(${dashboard(end)})`,
      freshSession: true,
    },
    {
      pack: 'sales',
      name: 'weekly reports (last 13 weeks)',
      mvSql: `SELECT pos.get_weekly_reports_mv('${end}'::date - 91, '${end}'::date)`,
      liveSql: `SELECT pos.get_weekly_reports_live('${end}'::date - 91, '${end}'::date)`,
    },
    {
      pack: 'sales',
      name: 'monthly reports (last 12 months)',
      mvSql: `SELECT pos.get_monthly_reports_mv('${monthsFrom}', '${monthsTo}')`,
      liveSql: `SELECT pos.get_monthly_reports_live('${monthsFrom}', '${monthsTo}')`,
    },
  ];
}

export const salesBench: BenchPack = {
  endToday: true,
  scenarios: async (c: Client) => {
    const { rows } = await c.query<SalesDates>(`
      SELECT max(date)::text AS "end", (max(date) - 1)::text AS yesterday,
             (date_trunc('month', max(date)) - interval '12 months')::date::text AS "monthsFrom",
             (date_trunc('month', max(date)) - interval '1 day')::date::text AS "monthsTo"
      FROM pos.lengolf_sales`);
    return salesScenarios(rows[0]);
  },
  extra: async (ctx) => ({
    incremental: await measureBatchRefresh(ctx),
    writePath: await measureWritePath(ctx),
  }),
};
