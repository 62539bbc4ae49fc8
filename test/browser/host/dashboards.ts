// The dashboards the host serves at /api/dashboards/uid/<uid>, in Grafana's v1 JSON shape (the
// fields the host's dashboard page reads): refresh panels placed as dashboards-as-code places them,
// with the panel's exported option names.
import type { RefreshPanelOptions } from '../../../plugin/src/refresh-panel/options';
import { CHECKS_PACK, SLOW_PACK } from '../env/fixtures';

export interface HostPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  options: Partial<RefreshPanelOptions>;
}

export interface HostDashboard {
  uid: string;
  title: string;
  time: { from: string; to: string };
  panels: HostPanel[];
}

export const OPERATIONS_UID = 'matviewops-browser-ops';

/** Panel ids of the operations dashboard, for the specs. */
export const PANELS = { sales: 1, checks: 2, slow: 3 } as const;

export function hostDashboards(panelType: string): HostDashboard[] {
  return [
    {
      uid: OPERATIONS_UID,
      title: 'Materialized views: operations',
      time: { from: 'now-6h', to: 'now' },
      panels: [
        {
          id: PANELS.sales,
          type: panelType,
          title: 'Sales views',
          gridPos: { x: 0, y: 0, w: 12, h: 20 },
          options: { target: 'pack', pack: 'sales', buttonText: 'Refresh sales views', refreshDashboard: true },
        },
        {
          id: PANELS.checks,
          type: panelType,
          title: 'Delivery checks',
          gridPos: { x: 12, y: 0, w: 12, h: 10 },
          options: { target: 'pack', pack: CHECKS_PACK, refreshDashboard: true },
        },
        {
          id: PANELS.slow,
          type: panelType,
          title: 'Slow summary',
          gridPos: { x: 12, y: 10, w: 12, h: 10 },
          options: { target: 'pack', pack: SLOW_PACK, cascade: false },
        },
      ],
    },
  ];
}
