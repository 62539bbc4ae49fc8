// The page Grafana serves for every front-end route (public/views/index.html): a <base href>, the
// boot data the runtime's `config` reads when it loads (window.grafanaBootData: settings, the
// signed-in user with its org role and theme), and the host's bundle.
import type { SignedInUser } from '../../grafana/pluginProxy';
import type { PluginCatalog } from './pluginCatalog';

export interface BootOptions {
  appUrl: string;
  user: SignedInUser;
  catalog: PluginCatalog;
  /** Shown in the host's top bar so no one takes it for Grafana. */
  banner: string;
  /** The host's navigation: the app's pages (includes with addToNav), its configuration, dashboards. */
  nav: HostNavItem[];
}

export interface HostNavItem {
  text: string;
  url: string;
}

// A JSON literal inside <script>: "</" and U+2028/9 cannot end or break it.
const scriptJson = (v: unknown) =>
  JSON.stringify(v)
    .replace(/<\//g, '<\\/')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

export function bootData({ appUrl, user, catalog, banner, nav }: BootOptions) {
  const { app, panel } = catalog;
  return {
    settings: {
      appUrl,
      appSubUrl: '',
      buildInfo: { version: '13.2.2', commit: 'browser-host', env: 'production', edition: 'Open Source' },
      // pkg/api/frontendsettings.go: apps and panels the front end may load, by id.
      apps: {
        [app.id]: {
          id: app.id,
          path: app.module,
          version: String(app.info.version ?? ''),
          preload: false,
          angular: { detected: false, hideDeprecation: false },
          loadingStrategy: 'script',
          extensions: {
            addedLinks: [],
            addedComponents: [],
            exposedComponents: [],
            extensionPoints: [],
            addedFunctions: [],
          },
          dependencies: app.dependencies,
        },
      },
      panels: {
        [panel.id]: {
          id: panel.id,
          name: panel.name,
          type: 'panel',
          info: panel.info,
          module: panel.module,
          baseUrl: panel.baseUrl,
          sort: 100,
          skipDataQuery: false,
          hideFromList: false,
          angular: { detected: false },
          loadingStrategy: 'script',
        },
      },
      datasources: {},
      featureToggles: {},
      // The host's own settings (not Grafana's): its banner and navigation.
      matviewopsHost: { banner, nav },
    },
    user: {
      isSignedIn: true,
      id: user.userId,
      uid: user.uid,
      login: user.login,
      email: user.email,
      name: user.name,
      orgId: user.orgId ?? 1,
      orgName: user.orgName ?? '',
      orgRole: user.orgRole,
      orgCount: 1,
      isGrafanaAdmin: user.isGrafanaAdmin ?? false,
      theme: 'dark',
      timezone: 'browser',
      weekStart: '',
      locale: 'en-US',
      language: 'en-US',
      helpFlags1: 0,
      hasEditPermissionInFolders: user.orgRole !== 'Viewer',
    },
    navTree: [],
    assets: { dark: '', light: '' },
  };
}

export function indexHtml(options: BootOptions, bundle: { js: string; css?: string }): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <base href="/" />
    <title>Matview Ops: plugin test host</title>
    ${bundle.css ? `<link rel="stylesheet" href="${bundle.css}" />` : ''}
    <script>window.grafanaBootData = ${scriptJson(bootData(options))};</script>
  </head>
  <body>
    <div id="reactRoot"></div>
    <script type="module" src="${bundle.js}"></script>
  </body>
</html>
`;
}

export function loginHtml(users: Array<{ key: string; user: SignedInUser }>, redirect: string): string {
  const links = users
    .map(
      ({ key, user }) =>
        `<li><a href="/login?user=${key}&redirect=${encodeURIComponent(redirect)}">${user.name} (${user.login}, ${user.orgRole})</a></li>`
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8" /><title>Sign in: plugin test host</title>
<style>body{font-family:sans-serif;background:#111217;color:#ccccdc;padding:2rem}a{color:#6e9fff}</style></head>
<body><h1>Plugin test host: not Grafana</h1><p>Sign in as one of the host's users (each has one org role):</p>
<ul>${links}</ul></body></html>
`;
}
