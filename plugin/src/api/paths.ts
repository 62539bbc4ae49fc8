import pluginJson from '../plugin.json';

/** The app's id; the nested panel calls the app's proxy routes, never its own (panels have none). */
export const APP_ID = pluginJson.id;

/** Where Grafana serves the app's proxy routes (plugin.json `routes`). */
export const PROXY_BASE = `/api/plugin-proxy/${APP_ID}`;

/** Grafana's plugin settings API for the app (jsonData, secureJsonFields). */
export const SETTINGS_URL = `/api/plugins/${APP_ID}/settings`;
