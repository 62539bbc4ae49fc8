// Loading a plugin's module.js as Grafana's importer does (public/app/features/plugins/importer,
// loader/utils.ts resolveModulePath, loader/cache.ts): the module path from the plugin's meta under
// appSubUrl with a cache-busting version, System.import, then `plugin.meta` (and init for an app).
import { AppPlugin, type AppPluginMeta, type PanelPlugin, type PanelPluginMeta, type PluginMeta } from '@grafana/data';
import { config } from '@grafana/runtime';
import { SystemJS } from './systemjs';

function resolveModulePath(meta: PluginMeta): string {
  const path = meta.module;
  const url = path.startsWith('http') || path.startsWith('/') ? path : `${config.appSubUrl ?? ''}/${path}`;
  return `${url}?_cache=${encodeURIComponent(meta.info?.version ?? '')}`;
}

export async function importAppPlugin(meta: AppPluginMeta): Promise<AppPlugin> {
  const exports = await SystemJS.import(resolveModulePath(meta));
  const plugin = (exports.plugin as AppPlugin | undefined) ?? new AppPlugin();
  plugin.init(meta);
  plugin.meta = meta;
  plugin.setComponentsFromLegacyExports(exports);
  return plugin;
}

export async function importPanelPlugin(meta: PanelPluginMeta): Promise<PanelPlugin> {
  const exports = await SystemJS.import(resolveModulePath(meta));
  const plugin = exports.plugin as PanelPlugin | undefined;
  if (!plugin || typeof plugin.panel === 'undefined') {
    throw new Error(`${meta.id}: module.js exports no PanelPlugin with a panel component`);
  }
  plugin.meta = meta;
  return plugin;
}
