import pluginJson from './plugin.json';

export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;

// Page paths under PLUGIN_BASE_URL; each must match an `includes` page path in plugin.json.
export enum ROUTES {
  Views = 'views',
  History = 'history',
}

export const viewsUrl = (): string => `${PLUGIN_BASE_URL}/${ROUTES.Views}`;

/** The history page of one view; names may hold any character a quoted identifier allows. */
export const historyUrl = (view?: string): string =>
  `${PLUGIN_BASE_URL}/${ROUTES.History}${view === undefined ? '' : `/${encodeURIComponent(view)}`}`;

/** Attempts per history page; the service allows up to 1000. */
export const HISTORY_PAGE_SIZE = 50;

/** Auto-refresh choices of the Views page, in milliseconds (0: off). */
export const AUTO_REFRESH_CHOICES = [
  { label: 'Off', value: 0 },
  { label: '10s', value: 10_000 },
  { label: '30s', value: 30_000 },
  { label: '1m', value: 60_000 },
];

export const DEFAULT_AUTO_REFRESH_MS = 30_000;
