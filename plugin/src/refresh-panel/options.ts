// The refresh panel's options: typed and exported so dashboards-as-code can place the panel.
import type { RefreshRequest } from '../api/types';

export const REFRESH_PANEL_ID = 'matviewops-refresh-panel';

export interface RefreshPanelOptions {
  /** Refresh a whole pack, or the views listed in `views`. */
  target: 'pack' | 'views';
  pack: string;
  /** Registered names (schema.view), as GET /api/views lists them. */
  views: string[];
  /** Also refresh the managed views built on the targets. */
  cascade: boolean;
  buttonText: string;
  /** Shown in the confirmation dialog; empty for a description of what will be refreshed. */
  confirmText: string;
  /** Re-run the dashboard's queries once a refresh has changed data. */
  refreshDashboard: boolean;
}

export const defaultRefreshPanelOptions: RefreshPanelOptions = {
  target: 'pack',
  pack: '',
  views: [],
  cascade: true,
  buttonText: 'Refresh',
  confirmText: '',
  refreshDashboard: true,
};

/** The request the options describe, or undefined while they name nothing to refresh. */
export function refreshRequestOf(o: Partial<RefreshPanelOptions>): RefreshRequest | undefined {
  const cascade = o.cascade ?? defaultRefreshPanelOptions.cascade;
  if ((o.target ?? 'pack') === 'pack') {
    return o.pack ? { pack: o.pack, cascade } : undefined;
  }
  return o.views && o.views.length > 0 ? { views: o.views, cascade } : undefined;
}
