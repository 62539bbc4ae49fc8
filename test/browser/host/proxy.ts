// /api/plugin-proxy/<app id>/*: the request goes through the app-proxy model of test/grafana
// (routes of plugin.json in order, role check, templates from the stored settings, Cookie stripped,
// X-Grafana-Id attached) and, when that model forwards it, to the real refresh service.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  extractProxyPath,
  handlePluginProxyRequest,
  proxyResponseHeaders,
  type HeaderInput,
  type PluginRoute,
  type SignedInUser,
} from '../../grafana/pluginProxy';
import type { IdTokenSigner } from './idTokens';
import type { SettingsStore } from './settingsStore';

export interface ProxyDeps {
  appId: string;
  routes: PluginRoute[];
  settings: SettingsStore;
  signer: IdTokenSigner;
}

// Go's server moves Host out of the header map; Content-Length is recomputed for the body sent.
const NOT_HEADERS = new Set(['host', 'content-length', 'transfer-encoding']);

function incomingHeaders(req: IncomingMessage): HeaderInput {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !NOT_HEADERS.has(name)) {
      out[name] = value;
    }
  }
  return out;
}

export async function servePluginProxy(
  deps: ProxyDeps,
  req: IncomingMessage,
  res: ServerResponse,
  user: SignedInUser | null,
  body: string | undefined
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://host');
  const outcome = handlePluginProxyRequest({
    routes: deps.routes,
    settings: deps.settings.forProxy(),
    user: user && { ...user, idToken: await deps.signer.sign(user) },
    config: { appId: deps.appId },
    request: {
      method: req.method ?? 'GET',
      proxyPath: extractProxyPath(url.pathname),
      query: url.search.slice(1),
      headers: incomingHeaders(req),
      body,
      remoteAddr: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
    },
  });
  if (outcome.kind === 'refused') {
    res.statusCode = outcome.status;
    if (outcome.contentType) {
      res.setHeader('Content-Type', outcome.contentType);
    }
    res.end(outcome.body === null ? '' : JSON.stringify(outcome.body));
    return;
  }
  const payload = outcome.body === undefined ? undefined : Buffer.from(outcome.body);
  const upstream = httpRequest(outcome.url, {
    method: outcome.method,
    headers: {
      ...outcome.headers,
      Host: outcome.host,
      ...(payload ? { 'Content-Length': String(payload.length) } : {}),
    },
  });
  upstream.on('response', (answer) => {
    const headers = proxyResponseHeaders(answer.headers as HeaderInput);
    res.writeHead(answer.statusCode ?? 502, headers);
    answer.pipe(res);
  });
  // reverse_proxy.go errorHandler: a refused or broken connection is an empty 502 Bad Gateway.
  upstream.on('error', () => {
    if (!res.headersSent) {
      res.statusCode = 502;
      res.end();
    } else {
      res.destroy();
    }
  });
  upstream.end(payload);
}
