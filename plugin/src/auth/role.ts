// Whether the signed-in user's role passes the refresh route's `reqRole: Admin`. Only for showing the
// right control: Grafana's proxy and the service decide, whatever the browser believes.
import { config } from '@grafana/runtime';

export function mayRefresh(): boolean {
  const user = config.bootData?.user;
  // A Grafana server admin passes every reqRole check of the proxy (SignedInUser.HasRole).
  return user?.orgRole === 'Admin' || user?.isGrafanaAdmin === true;
}

export const REFRESH_NEEDS_ADMIN = 'Refreshing needs the Admin role in this Grafana organisation.';
