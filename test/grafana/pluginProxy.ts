// Grafana's app-plugin proxy (/api/plugin-proxy/<appId>/<path>) as a pure function: which route
// decides, what Grafana answers itself, and the request it would send upstream. Reimplemented from
// grafana/grafana (AGPL; read, not copied). The file behind each step is named where it happens.
import { canonicalHeaderKey, escapePath, GoHeader, GoUrlError, joinUrlFragments, parseGoUrl } from './goNet';
import { matchRoutePath } from './routeTree';
import { roleIncludes } from './routes';
import { interpolate, TemplateError, type TemplateData } from './templates';
import type { HeaderInput, ProxyInput, ProxyOutcome, ProxyRefusal, SignedInUser } from './types';

export * from './types';
export { loadRoutes, decodeRole, roleIncludes, RouteConfigError } from './routes';
export { matchRoutePath, compileRoutePath, UnsupportedRoutePatternError } from './routeTree';
export { interpolate, goFloat, TemplateError, TemplateUnsupportedError, type TemplateData } from './templates';
export { canonicalHeaderKey } from './goNet';

const JSON_TYPE = 'application/json; charset=UTF-8';

// pluginproxy.go writeJSONErr (= contextmodel JsonApiErr): {"message"} plus "traceID" when an error is attached.
function refuse(status: number, message: string, withError = false, routeIndex?: number): ProxyRefusal {
  return {
    kind: 'refused',
    status,
    contentType: JSON_TYPE,
    body: withError ? { message, traceID: '' } : { message },
    ...(routeIndex === undefined ? {} : { routeIndex }),
  };
}

/** pkg/api/plugin_proxy.go extractProxyPath: the escaped path minus `/api/plugin-proxy/<appId>/`. */
export function extractProxyPath(escapedPath: string): string {
  return escapedPath.replace(/^\/api\/plugin-proxy\/([\w-]+)\/?/, '');
}

// encoding/json escapes <, > and & (and U+2028/9) inside strings.
const goJson = (v: unknown) =>
  JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** X-Grafana-Context: json.Marshal of user.SignedInUser (pkg/services/user/identity.go; json:"-" fields left out). */
export function grafanaContextJson(u: SignedInUser): string {
  const type = u.identityType ?? 'user';
  return goJson({
    UserID: u.userId ?? 0,
    UserUID: u.uid ?? '',
    OrgID: u.orgId ?? 1,
    OrgName: u.orgName ?? '',
    OrgRole: u.orgRole,
    Login: u.login,
    Name: u.name ?? '',
    Email: u.email ?? '',
    EmailVerified: false,
    AuthID: '',
    AuthenticatedBy: '',
    AllowedKubernetesNamespace: '',
    ApiKeyID: 0,
    IsServiceAccount: type === 'service-account',
    IsGrafanaAdmin: u.isGrafanaAdmin ?? false,
    IsAnonymous: type === 'anonymous',
    IsDisabled: false,
    HelpFlags1: 0,
    LastSeenAt: '0001-01-01T00:00:00Z',
    Teams: u.teams ?? null,
    FallbackType: '',
  });
}

// net.SplitHostPort, host part only.
function splitHost(addr: string): string | null {
  const m = /^\[([^\]]*)\]:[^:]*$/.exec(addr) ?? /^([^:[\]]*):[^:]*$/.exec(addr);
  return m ? m[1] : null;
}

const HOP_BY_HOP = [
  'Connection',
  'Proxy-Connection',
  'Keep-Alive',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Te',
  'Trailer',
  'Transfer-Encoding',
  'Upgrade',
];

const tokens = (values: string[]) =>
  values.flatMap((v) => v.split(',').map((t) => t.trim().toLowerCase())).filter((t) => t !== '');

/** Go net/http/httputil ReverseProxy.ServeHTTP, after the director: hop-by-hop headers and X-Forwarded-For. */
function reverseProxyHeaders(out: GoHeader, incoming: GoHeader, remoteAddr: string | undefined): void {
  const upgrade = tokens(out.all('Connection')).includes('upgrade') ? out.get('Upgrade') : '';
  for (const name of tokens(out.all('Connection'))) {
    out.del(name); // headers the client named in Connection go too, even ones Grafana just set
  }
  HOP_BY_HOP.forEach((h) => out.del(h));
  if (tokens(incoming.all('Te')).includes('trailers')) {
    out.set('Te', 'trailers');
  }
  if (upgrade !== '') {
    out.set('Connection', 'Upgrade');
    out.set('Upgrade', upgrade);
  }
  const ip = remoteAddr === undefined ? null : splitHost(remoteAddr);
  if (ip !== null) {
    const prior = out.all('X-Forwarded-For');
    out.set('X-Forwarded-For', prior.length ? `${prior.join(', ')}, ${ip}` : ip);
  }
}

/**
 * One request through Grafana's app proxy. Steps, in Grafana's order:
 *  1. not signed in: 401 {"message":"Unauthorized"} (pkg/middleware/auth.go notAuthorized);
 *     app disabled: 404 {"message":"Plugin is not enabled"} (pkg/api checkAppEnabled).
 *  2. routes in order (pkg/api/pluginproxy/pluginproxy.go HandleRequest): a method other than ''/'*'
 *     must equal the request's, else the next route; then the path tree match (routeTree.ts), else the
 *     next route; the first match decides: no access -> 403 {"message":"plugin proxy route access
 *     denied"} and no later route is tried. reqAction (RBAC, scope plugins:id:<appId>) takes
 *     precedence over reqRole (hasAccessToRoute); the role check is the org role only (a Grafana
 *     server admin gets no more). No match: 404 {"message":"plugin route match not found"}.
 *  3. the director builds the upstream request (see forward()).
 * A route's `reqSignedIn` is not a field of plugins.Route: Grafana ignores it (the whole endpoint
 * already requires a signed-in identity), and loadRoutes lists it in `ignored`.
 */
export function handlePluginProxyRequest(input: ProxyInput): ProxyOutcome {
  const { routes, request, user, settings, config = {} } = input;
  if (user === null) {
    return refuse(401, 'Unauthorized');
  }
  if (!settings.enabled) {
    return refuse(404, 'Plugin is not enabled');
  }
  for (const [i, route] of routes.entries()) {
    if (route.method !== '' && route.method !== '*' && route.method !== request.method) {
      continue;
    }
    const params = matchRoutePath(route.path, request.proxyPath);
    if (params === null) {
      continue;
    }
    let allowed = true;
    if (route.reqAction !== undefined) {
      if (!user.can || !config.appId) {
        throw new Error(`routes[${i}] uses reqAction, which this model evaluates only with user.can and config.appId`);
      }
      allowed = user.can(route.reqAction, `plugins:id:${config.appId}`);
    } else if (route.reqRole !== undefined) {
      allowed = roleIncludes(user.orgRole, route.reqRole);
    }
    if (!allowed) {
      return refuse(403, 'plugin proxy route access denied', false, i);
    }
    let rest = '';
    if (params['*'] !== undefined) {
      rest = params['*'];
      // Feature toggle pluginProxyPreserveTrailingSlash: put back the slash Tree.Match trimmed.
      if (config.preserveTrailingSlash && request.proxyPath.endsWith('/') && !rest.endsWith('/')) {
        rest += '/';
      }
    }
    return forward(input, i, rest);
  }
  return refuse(404, 'plugin route match not found');
}

/** The director (pluginproxy.go director, wrapped by pkg/util/proxyutil/reverse_proxy.go wrapDirector). */
function forward(input: ProxyInput, index: number, rest: string): ProxyOutcome {
  const { routes, request, settings, config = {} } = input;
  const user = input.user!;
  const route = routes[index];
  const data: TemplateData = { URL: '', JsonData: settings.jsonData, SecureJsonData: settings.secureJsonData };
  const render = (text: string, failure: string): string | ProxyRefusal => {
    try {
      return interpolate(text, data);
    } catch (err) {
      if (err instanceof TemplateError) {
        return refuse(500, failure, true, index);
      }
      throw err; // TemplateUnsupportedError: a limit of this model, not an answer of Grafana's
    }
  };

  const rendered = render(route.url, 'Could not interpolate plugin route url');
  if (typeof rendered !== 'string') {
    return rendered;
  }
  let target;
  try {
    target = parseGoUrl(rendered);
  } catch (err) {
    if (err instanceof GoUrlError) {
      return refuse(500, 'Could not parse url', true, index);
    }
    throw err;
  }
  // Only Scheme, Host and Path are taken from the route URL: its userinfo and query are dropped.
  const path = joinUrlFragments(target.path, rest);

  const incoming = GoHeader.from(request.headers);
  const out = GoHeader.from(request.headers);
  // reverse_proxy.go wrapDirector, before: the headers Grafana authenticated the caller with
  // (contexthandler WithAuthHTTPHeaders: Authorization, X-Grafana-Device-Id, JWT and auth-proxy headers).
  ['Authorization', 'X-Grafana-Device-Id', ...(config.authHeaderNames ?? [])].forEach((h) => out.del(h));
  // pluginproxy.go director: cookies never leave Grafana.
  out.del('Cookie');
  out.del('Set-Cookie');
  // pluginproxy.go director: the signed-in user as JSON, always, unsigned.
  out.set('X-Grafana-Context', grafanaContextJson(user));
  // proxyutil.go ApplyUserHeader: a client's X-Grafana-User is always removed; the login is set only
  // with [dataproxy] send_user_header = true and for a user (not a service account or anonymous).
  out.del('X-Grafana-User');
  if (config.sendUserHeader && (user.identityType ?? 'user') === 'user') {
    out.set('X-Grafana-User', user.login);
  }
  // proxyutil.go ApplyForwardIDHeader: the signed ID token when the identity has one (every signed-in
  // user since the idForwarding toggle was removed, grafana#92209). A client's own X-Grafana-Id is
  // NOT removed when there is no token: verify it, never trust it.
  if (user.idToken) {
    out.set('X-Grafana-Id', user.idToken);
  }
  // utils.go addHeaders: route headers, rendered, Set (they replace anything above of the same name).
  for (const h of route.headers) {
    const value = render(h.content, 'Failed to render plugin headers');
    if (typeof value !== 'string') {
      return value;
    }
    out.set(h.name, value);
  }
  // utils.go setBodyContent: the route body replaces the client's when it renders to valid JSON;
  // otherwise Grafana only logs and the client's body goes through.
  let body = request.body;
  if (route.body !== undefined) {
    try {
      const b = interpolate(route.body, data);
      JSON.parse(b);
      body = b;
    } catch (err) {
      if (!(err instanceof TemplateError || err instanceof SyntaxError)) {
        throw err;
      }
    }
  }
  // proxyutil.go PrepareProxyRequest (wrapDirector, after): Referer kept as X-Grafana-Referer, then
  // Origin, Referer and X-Forwarded-Host/Port/Proto dropped; X-Forwarded-For gets the client address.
  out.set('X-Grafana-Referer', out.get('Referer'));
  ['Origin', 'Referer', 'X-Forwarded-Host', 'X-Forwarded-Port', 'X-Forwarded-Proto'].forEach((h) => out.del(h));
  if (request.remoteAddr) {
    const host = splitHost(request.remoteAddr) ?? request.remoteAddr;
    const prior = out.get('X-Forwarded-For');
    out.set('X-Forwarded-For', prior ? `${prior}, ${host}` : host);
  }
  // Go's ReverseProxy then appends the client IP once more (so "ip, ip" for a direct client).
  reverseProxyHeaders(out, incoming, request.remoteAddr);

  // http.Transport: only http and https with a host; anything else fails the round trip, which
  // reverse_proxy.go errorHandler answers with an empty 502.
  if ((target.scheme !== 'http' && target.scheme !== 'https') || target.host === '') {
    return { kind: 'refused', status: 502, body: null, routeIndex: index };
  }
  const requestUri = (escapePath(path) || '/') + (request.query ? `?${request.query}` : '');
  return {
    kind: 'forward',
    routeIndex: index,
    route,
    method: request.method,
    url: `${target.scheme}://${target.host}${requestUri}`,
    host: target.host,
    headers: out.toRecord(),
    ...(body === undefined ? {} : { body }),
  };
}

/**
 * The upstream answer as the browser gets it (reverse_proxy.go modifyResponse: Set-Cookie removed,
 * SetProxyResponseHeaders: Content-Security-Policy: sandbox; Go drops hop-by-hop headers).
 */
export function proxyResponseHeaders(upstream: HeaderInput): Record<string, string> {
  const h = GoHeader.from(upstream);
  tokens(h.all('Connection')).forEach((name) => h.del(name));
  HOP_BY_HOP.forEach((name) => h.del(name));
  h.del('Set-Cookie');
  h.set('Content-Security-Policy', 'sandbox');
  return h.toRecord();
}

/** Case-insensitive lookup in a forward's headers. */
export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  return headers[canonicalHeaderKey(name)];
}
