// What the dashboards need to know about the app plugin, read from its own files so they cannot drift:
// its id, its pages, the proxy route a refresh is POSTed to, and the refresh panel's type and options.
import { historyUrl, viewsUrl } from '../../plugin/src/constants';
import pluginJson from '../../plugin/src/plugin.json';
import {
  REFRESH_PANEL_ID,
  defaultRefreshPanelOptions,
  type RefreshPanelOptions,
} from '../../plugin/src/refresh-panel/options';

export { REFRESH_PANEL_ID, defaultRefreshPanelOptions, type RefreshPanelOptions };

export const APP_ID: string = pluginJson.id;

/** The app's views page (state, lag and refresh of every managed view). */
export const APP_VIEWS_URL = viewsUrl();

/** The app's history page of the view a data link's row names (field `field` of the row). */
export const appHistoryLink = (field: string) => `${historyUrl()}/\${__data.fields["${field}"]:percentencode}`;

interface Route {
  path: string;
  method?: string;
}

/** The path of the app's single POST proxy route (the refresh), as declared in plugin.json. */
export function refreshRoutePath(routes: Route[] = (pluginJson as { routes?: Route[] }).routes ?? []): string {
  const posts = routes.filter((r) => (r.method ?? '').toUpperCase() === 'POST');
  if (posts.length !== 1) {
    throw new Error(`plugin.json must declare exactly one POST route (the refresh); found ${posts.length}`);
  }
  return posts[0].path;
}

/** Where the browser sends a refresh: Grafana's plugin proxy in front of that route. */
export const refreshProxyUrl = (): string => `/api/plugin-proxy/${APP_ID}/${refreshRoutePath()}`;

/** The refresh panel's options: the panel's defaults with the given choices. */
export const refreshPanelOptions = (choices: Partial<RefreshPanelOptions>): RefreshPanelOptions => ({
  ...defaultRefreshPanelOptions,
  ...choices,
});
