// What Grafana knows about the built plugin, read from plugin/dist as Grafana reads an installed
// plugin's folder: plugin.json of the app and of its nested panel, their module.js paths and base
// URLs (pkg/plugins/manager/pluginassets: public/plugins/<app id>/<path of the nested plugin>), and
// the app's proxy routes as Grafana decodes them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRoutes, type PluginRoute } from '../../grafana/pluginProxy';

export interface PluginMetaDto {
  id: string;
  name: string;
  type: string;
  info: Record<string, unknown>;
  includes: unknown[];
  dependencies: unknown;
  module: string;
  baseUrl: string;
  defaultNavUrl: string;
  state: string;
  signature: string;
  loadingStrategy: string;
}

export interface PluginCatalog {
  distDir: string;
  app: PluginMetaDto;
  panel: PluginMetaDto;
  /** Folder of each plugin's files under dist, by the base URL Grafana serves them at. */
  assetDirs: Record<string, string>;
  routes: PluginRoute[];
}

const readJson = (path: string): Record<string, any> => JSON.parse(readFileSync(path, 'utf8'));

function metaOf(json: Record<string, any>, baseUrl: string): PluginMetaDto {
  const logos = json.info?.logos ?? {};
  const resolveLogo = (p: string | undefined) => (p ? `${baseUrl}/${p}`.replace(/\/[^/]+\/\.\.\//, '/') : '');
  const defaultNav = (json.includes ?? []).find((i: { defaultNav?: boolean }) => i.defaultNav);
  return {
    id: json.id,
    name: json.name,
    type: json.type,
    info: { ...json.info, logos: { small: resolveLogo(logos.small), large: resolveLogo(logos.large) } },
    includes: json.includes ?? [],
    dependencies: json.dependencies ?? {},
    module: `${baseUrl}/module.js`,
    baseUrl,
    defaultNavUrl: defaultNav?.path ?? '',
    state: json.state ?? '',
    // Loaded unsigned, as GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS allows.
    signature: 'unsigned',
    loadingStrategy: 'script',
  };
}

export function readPluginCatalog(distDir: string): PluginCatalog {
  const appJson = join(distDir, 'plugin.json');
  if (!existsSync(appJson) || !existsSync(join(distDir, 'module.js'))) {
    throw new Error(`No built plugin in ${distDir}: run npm run build:plugin first.`);
  }
  const app = readJson(appJson);
  // Grafana finds nested plugins by their plugin.json in the app's folder tree.
  const panelDir = readdirSync(distDir, { withFileTypes: true }).find(
    (d) => d.isDirectory() && existsSync(join(distDir, d.name, 'plugin.json'))
  )?.name;
  if (!panelDir) {
    throw new Error(`${distDir} holds no nested plugin (a folder with a plugin.json): is the panel built?`);
  }
  const panel = readJson(join(distDir, panelDir, 'plugin.json'));
  const included = (app.includes ?? []).some(
    (i: { type: string; name: string }) => i.type === 'panel' && i.name === panel.name
  );
  if (!included) {
    throw new Error(`The app's plugin.json does not list the nested panel "${panel.name}" in includes.`);
  }
  const appBase = `public/plugins/${app.id}`;
  const panelBase = `${appBase}/${panelDir}`;
  return {
    distDir,
    app: metaOf(app, appBase),
    panel: metaOf(panel, panelBase),
    assetDirs: { [appBase]: distDir },
    routes: loadRoutes(app),
  };
}
