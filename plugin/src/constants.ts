import pluginJson from './plugin.json';

export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;

// Page paths under PLUGIN_BASE_URL; each must match an `includes` page path in plugin.json.
export enum ROUTES {
  Overview = 'overview',
}
