// Whether the signed-in user's role passes the refresh route's `reqRole: Admin`. Only for showing the
// right control: Grafana's proxy and the service decide, whatever the browser believes.
import { config } from '@grafana/runtime';

// Grafana's proxy checks the org role alone (pkg/api/pluginproxy/pluginproxy.go: GetOrgRole().Includes),
// so a Grafana server admin who is a Viewer in this organisation is refused like any Viewer.
export const mayRefresh = (): boolean => config.bootData?.user?.orgRole === 'Admin';

export const REFRESH_NEEDS_ADMIN = 'Refreshing needs the Admin role in this Grafana organisation.';
