// Sales pack benchmark scenarios: the seed's dashboard call (30 days against the 30 before) and the
// weekly/monthly reports over the last quarter / year of data, each from the views and live; then the
// 15-minute batch against a full refresh and the write path's trigger cost (salesWrites.ts).
import type { Client } from 'pg';
import { measureBatchRefresh, measureWritePath } from './salesWrites';
import type { BenchPack, BenchScenario } from './types';

/**
 * The scenarios for data ending on `end` (YYYY-MM-DD): the benchmark seeds the 478 days ending today, so the
 * dashboard reads the days a venue's dashboard opens on, today (the one the POS is writing) included.
 * Monthly reports: the 12 whole months before end's month.
 */
export function salesScenarios(end: string, monthsFrom: string, monthsTo: string): BenchScenario[] {
  const dashboardArgs = `'${end}'::date - 29, '${end}'::date, '${end}'::date - 59, '${end}'::date - 30`;
  // The same call a day earlier: no zero-lag tail (today is outside it), every figure from the aggregates.
  const storedArgs = `'${end}'::date - 30, '${end}'::date - 1, '${end}'::date - 60, '${end}'::date - 31`;
  return [
    {
      pack: 'sales',
      name: 'dashboard summary (30 days vs previous 30)',
      mvSql: `SELECT pos.get_dashboard_summary_enhanced_mv(${dashboardArgs})`,
      liveSql: `SELECT pos.get_dashboard_summary_live(${dashboardArgs})`,
      freshSession: true,
    },
    {
      pack: 'sales',
      name: 'dashboard summary ending yesterday (stored only)',
      mvSql: `SELECT pos.get_dashboard_summary_enhanced_mv(${storedArgs})`,
      liveSql: `SELECT pos.get_dashboard_summary_live(${storedArgs})`,
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
    const { rows } = await c.query(`
      SELECT max(date)::text AS end_day,
             (date_trunc('month', max(date)) - interval '12 months')::date::text AS months_from,
             (date_trunc('month', max(date)) - interval '1 day')::date::text AS months_to
      FROM pos.lengolf_sales`);
    return salesScenarios(rows[0].end_day, rows[0].months_from, rows[0].months_to);
  },
  extra: async (ctx) => ({
    incremental: await measureBatchRefresh(ctx),
    writePath: await measureWritePath(ctx),
  }),
};
