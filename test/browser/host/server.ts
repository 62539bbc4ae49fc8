// The test host's HTTP server: what the plugin reaches of Grafana, and nothing more. Front-end
// routes get index.html with the signed-in user's boot data; /public/plugins serves plugin/dist as
// Grafana serves an installed plugin; /api answers the few endpoints the plugin and the host's
// pages call, with Grafana's shapes and status codes.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { roleIncludes } from '../../grafana/pluginProxy';
import { hostDashboards } from './dashboards';
import type { IdTokenSigner } from './idTokens';
import { indexHtml, loginHtml, type HostNavItem } from './indexHtml';
import type { PluginCatalog } from './pluginCatalog';
import { servePluginProxy } from './proxy';
import { BadSettingsCommand, decodeUpdate, type SettingsStore } from './settingsStore';
import { HOST_USERS, SESSION_COOKIE, userFromCookie, type HostUserKey } from './users';

export interface HostOptions {
  catalog: PluginCatalog;
  settings: SettingsStore;
  signer: IdTokenSigner;
  /** The host's own bundle (host.js, host.css), built by client/build.ts. */
  clientDir: string;
  port?: number;
  banner: string;
}

export interface Host {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'application/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.md': 'text/markdown',
  '.txt': 'text/plain',
};

const BODY_LIMIT = 1_000_000;

// @grafana/ui ships Grafana's icon set; Grafana's build copies it to public/build/img/icons.
const GRAFANA_UI_ICONS = join(dirname(require.resolve('@grafana/ui/package.json')), 'dist', 'public', 'img', 'icons');
// Grafana's unicons folder holds the line icons of @iconscout/unicons; @grafana/ui ships only some.
const UNICONS_LINE = join(dirname(require.resolve('@iconscout/unicons/package.json')), 'svg', 'line');
// The web fonts @grafana/ui's GlobalStyles asks for (Grafana ships Inter and Roboto Mono in
// public/fonts); the same faces from the @fontsource packages, latin subset.
const fontFile = (pkg: string, file: string) => join(dirname(require.resolve(`${pkg}/package.json`)), 'files', file);
const FONTS: Record<string, string> = {
  'inter/Inter-Regular.woff2': fontFile('@fontsource/inter', 'inter-latin-400-normal.woff2'),
  'inter/Inter-Medium.woff2': fontFile('@fontsource/inter', 'inter-latin-500-normal.woff2'),
  'roboto/L0xTDF4xlVMF-BfR8bXMIhJHg45mwgGEFl0_3vrtSM1J-gEPT5Ese6hmHSh0mQ.woff2': fontFile(
    '@fontsource/roboto-mono',
    'roboto-mono-latin-400-normal.woff2'
  ),
};
const JSON_TYPE = 'application/json; charset=UTF-8';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_TYPE);
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined));
    req.on('error', reject);
  });
}

/** A file under `root` for a URL path below a prefix; null when it escapes root or does not exist. */
function fileUnder(root: string, relative: string): string | null {
  const path = normalize(join(root, decodeURIComponent(relative)));
  if (!path.startsWith(root.endsWith(sep) ? root : root + sep) || !existsSync(path) || !statSync(path).isFile()) {
    return null;
  }
  return path;
}

function sendFile(res: ServerResponse, path: string): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', TYPES[extname(path)] ?? 'application/octet-stream');
  createReadStream(path).pipe(res);
}

export async function startHost(options: HostOptions): Promise<Host> {
  const { catalog, settings, signer } = options;
  const appId = catalog.app.id;
  const dashboards = hostDashboards(catalog.panel.id);
  let appUrl = '';
  const nav: HostNavItem[] = [
    ...(catalog.app.includes as Array<{ type: string; name: string; path?: string; addToNav?: boolean }>)
      .filter((i) => i.type === 'page' && i.addToNav && i.path)
      .map((i) => ({ text: i.name, url: i.path! })),
    { text: 'Configuration', url: `/plugins/${appId}` },
    ...dashboards.map((d) => ({ text: d.title, url: `/d/${d.uid}` })),
  ];
  const bundle = {
    js: 'public/build/host.js',
    css: existsSync(join(options.clientDir, 'host.css')) ? 'public/build/host.css' : undefined,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://host');
    const path = url.pathname;
    const session = userFromCookie(req.headers.cookie);
    const user = session?.user ?? null;

    if (path.startsWith('/public/plugins/')) {
      const base = `public/plugins/${appId}/`;
      const file = path.startsWith(`/${base}`) ? fileUnder(catalog.distDir, path.slice(base.length + 1)) : null;
      return file ? sendFile(res, file) : sendJson(res, 404, { message: 'Plugin file not found' });
    }
    // Grafana's own static files the shared @grafana/ui reaches for: icons and web fonts.
    if (path.startsWith('/public/build/img/icons/')) {
      const icon = path.slice('/public/build/img/icons/'.length);
      const file =
        fileUnder(GRAFANA_UI_ICONS, icon) ??
        (icon.startsWith('unicons/') ? fileUnder(UNICONS_LINE, icon.slice('unicons/'.length)) : null);
      return file ? sendFile(res, file) : sendJson(res, 404, { message: 'Not found' });
    }
    if (path.startsWith('/public/fonts/')) {
      const file = FONTS[path.slice('/public/fonts/'.length)];
      return file ? sendFile(res, file) : sendJson(res, 404, { message: 'Not found' });
    }
    if (path.startsWith('/public/build/')) {
      const file = fileUnder(options.clientDir, path.slice('/public/build/'.length));
      return file ? sendFile(res, file) : sendJson(res, 404, { message: 'Not found' });
    }
    if (path === '/login') {
      const key = url.searchParams.get('user') ?? '';
      const redirect = url.searchParams.get('redirect') || '/';
      if (Object.hasOwn(HOST_USERS, key)) {
        res.statusCode = 302;
        res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${key}; Path=/; HttpOnly; SameSite=Lax`);
        res.setHeader('Location', redirect.startsWith('/') ? redirect : '/');
        return void res.end();
      }
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      const users = (Object.keys(HOST_USERS) as HostUserKey[]).map((k) => ({ key: k, user: HOST_USERS[k] }));
      return void res.end(loginHtml(users, redirect));
    }
    // Grafana's JWKS endpoint needs no session: the refresh service fetches it.
    if (path === '/api/signing-keys/keys' && req.method === 'GET') {
      return sendJson(res, 200, signer.keySet);
    }
    if (path.startsWith('/public/')) {
      return sendJson(res, 404, { message: 'Not found' });
    }
    if (path.startsWith('/api/')) {
      if (!user) {
        return sendJson(res, 401, { message: 'Unauthorized' });
      }
      // The session check backendSrv makes after a 401 (pkg/api/login.go LoginAPIPing).
      if (path === '/api/login/ping' && req.method === 'GET') {
        return sendJson(res, 200, { message: 'Logged in' });
      }
      if (path.startsWith(`/api/plugin-proxy/${appId}/`) || path === `/api/plugin-proxy/${appId}`) {
        return servePluginProxy(
          { appId, routes: catalog.routes, settings, signer },
          req,
          res,
          user,
          await readBody(req)
        );
      }
      if (path === `/api/plugins/${appId}/settings`) {
        if (req.method === 'GET') {
          return sendJson(res, 200, { ...catalog.app, ...settings.publicView() });
        }
        if (req.method === 'POST') {
          // pkg/api/api.go: updating plugin settings needs plugins:write, which only Admins hold.
          if (!roleIncludes(user.orgRole, 'Admin')) {
            return sendJson(res, 403, {
              message: "You'll need additional permissions to perform this action. Permissions needed: plugins:write",
            });
          }
          try {
            settings.update(decodeUpdate(JSON.parse((await readBody(req)) ?? 'null')));
          } catch (err) {
            if (err instanceof BadSettingsCommand || err instanceof SyntaxError) {
              return sendJson(res, 400, { message: 'bad request data' });
            }
            throw err;
          }
          return sendJson(res, 200, { message: 'Plugin settings updated' });
        }
      }
      const dash = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(path);
      if (dash && req.method === 'GET') {
        const found = dashboards.find((d) => d.uid === decodeURIComponent(dash[1]));
        return found
          ? sendJson(res, 200, { dashboard: found, meta: { slug: 'operations', url: `/d/${found.uid}/operations` } })
          : sendJson(res, 404, { message: 'Dashboard not found' });
      }
      return sendJson(res, 404, { message: 'Not found' });
    }
    if (!user) {
      res.statusCode = 302;
      res.setHeader('Location', `/login?redirect=${encodeURIComponent(path + url.search)}`);
      return void res.end();
    }
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(indexHtml({ appUrl, user, catalog, banner: options.banner, nav }, bundle));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      // An error of the host itself: visible in the spec's output, never mistaken for Grafana's answer.
      console.error(`test host: ${req.method} ${req.url}: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) {
        sendJson(res, 500, { message: `test host error: ${(err as Error).message}` });
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((r) => server.listen(options.port ?? 0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  appUrl = `http://127.0.0.1:${port}/`;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
