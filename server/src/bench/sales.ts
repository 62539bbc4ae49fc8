// Sales pack benchmark scenarios: the seed's dashboard call (30 days against the 30 before) and the
// weekly/monthly reports over the last quarter / year of data, each from the views and live.
import type { BenchScenario } from './types';

/** The seed's data ends on 2025-07-06 (478 days from 2024-03-16): benchmark the most recent periods. */
const END = '2025-07-06';

const dashboardArgs = `'${END}'::date - 29, '${END}'::date, '${END}'::date - 59, '${END}'::date - 30`;

export const salesScenarios: BenchScenario[] = [
  {
    pack: 'sales',
    name: 'dashboard summary (30 days vs previous 30)',
    mvSql: `SELECT pos.get_dashboard_summary_enhanced_mv(${dashboardArgs})`,
    liveSql: `SELECT pos.get_dashboard_summary_live(${dashboardArgs})`,
  },
  {
    pack: 'sales',
    name: 'weekly reports (last 13 weeks)',
    mvSql: `SELECT pos.get_weekly_reports_mv('${END}'::date - 91, '${END}'::date)`,
    liveSql: `SELECT pos.get_weekly_reports_live('${END}'::date - 91, '${END}'::date)`,
  },
  {
    pack: 'sales',
    name: 'monthly reports (last 12 months)',
    mvSql: `SELECT pos.get_monthly_reports_mv('2024-07-01', '2025-06-30')`,
    liveSql: `SELECT pos.get_monthly_reports_live('2024-07-01', '2025-06-30')`,
  },
];
