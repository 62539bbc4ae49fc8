// Who reaches what through the app's Grafana proxy routes: the real plugin/src/plugin.json run through
// test/grafana, a reimplementation of Grafana's app-plugin proxy (route order, method, path tree,
// role, templates, the headers Grafana adds and strips). Then the proxy's own semantics, pinned on
// synthetic routes, so a misreading of Grafana shows up here rather than in production.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  decodeRole,
  handlePluginProxyRequest,
  headerValue,
  interpolate,
  loadRoutes,
  matchRoutePath,
  proxyResponseHeaders,
  RouteConfigError,
  type AppSettings,
  type OrgRole,
  type PluginRoute,
  type ProxyConfig,
  type ProxyForward,
  type ProxyOutcome,
  type ProxyRequest,
  type SignedInUser,
} from '../grafana/pluginProxy';

const pluginJson = JSON.parse(readFileSync(resolve(__dirname, '../../plugin/src/plugin.json'), 'utf8'));
const ROUTES = loadRoutes(pluginJson);

const SERVICE = 'http://matview-ops:8787';
const READ = 'read-secret-0123456789abcdef';
const ADMIN = 'admin-secret-0123456789abcdef';
const SECRET_HEADER = 'X-Matview-Ops-Secret';
const SETTINGS: AppSettings = {
  enabled: true,
  jsonData: { serviceUrl: SERVICE },
  secureJsonData: { readSecret: READ, adminSecret: ADMIN },
};
const ROLES: OrgRole[] = ['None', 'Viewer', 'Editor', 'Admin'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const userOf = (orgRole: OrgRole, extra: Partial<SignedInUser> = {}): SignedInUser => ({
  login: `${orgRole.toLowerCase()}-user`,
  orgRole,
  idToken: `signed-id-token-of-${orgRole}`,
  ...extra,
});

interface Send extends Partial<ProxyRequest> {
  role?: OrgRole;
  user?: SignedInUser | null;
  routes?: readonly PluginRoute[];
  settings?: AppSettings;
  config?: ProxyConfig;
}

function send(method: string, proxyPath: string, o: Send = {}): ProxyOutcome {
  return handlePluginProxyRequest({
    routes: o.routes ?? ROUTES,
    request: { method, proxyPath, query: o.query, headers: o.headers, body: o.body, remoteAddr: o.remoteAddr },
    user: o.user === undefined ? userOf(o.role ?? 'Viewer') : o.user,
    settings: o.settings ?? SETTINGS,
    config: o.config,
  });
}

function forwarded(outcome: ProxyOutcome): ProxyForward {
  if (outcome.kind !== 'forward') {
    throw new Error(`expected a forward, got ${outcome.status} ${JSON.stringify(outcome.body)}`);
  }
  return outcome;
}

const route = (path: string, extra: Partial<PluginRoute> = {}): PluginRoute => ({
  path,
  method: '',
  url: 'http://upstream:9000/base',
  headers: [],
  ignored: [],
  ...extra,
});

// Every path the real routes name, their sub-paths, and paths near them.
const ROUTE_PATHS = ROUTES.map((r) => r.path.replace('/*', '/x'));
const PROBE_PATHS = [
  ...ROUTE_PATHS,
  ...ROUTE_PATHS.flatMap((p) => [`${p}/`, `${p}/x`, `${p}/x/y`, `/${p}`]),
  'api/refresh/x',
  'api/%72efresh',
  'api//refresh',
  'API/REFRESH',
  'api/views',
  'api/views/pos.mv_x/history',
  'api/views/..%2Frefresh',
  'api/runs',
  'api/runs/1',
  'api/access/admin/x',
  'api',
  'api/',
  'x',
  '',
  '/',
  'metrics',
  'healthz',
];

describe('plugin/src/plugin.json routes', () => {
  test('declare the seven routes in order with their method and role', () => {
    expect(ROUTES.map((r) => [r.path, r.method, r.reqRole])).toEqual([
      ['api/refresh', 'POST', 'Admin'],
      ['api/access/admin', 'GET', 'Admin'],
      ['api/access', 'GET', 'Viewer'],
      ['api/views', 'GET', 'Viewer'],
      ['api/views/*', 'GET', 'Viewer'],
      ['api/runs/*', 'GET', 'Viewer'],
      ['readyz', 'GET', 'Viewer'],
    ]);
    expect(ROUTES.every((r) => r.ignored.length === 0 && r.body === undefined && r.reqAction === undefined)).toBe(true);
    expect(Array.isArray(pluginJson.includes)).toBe(true);
  });

  test('every route url is {{ .JsonData.serviceUrl }} followed by a path, so no other host is reachable', () => {
    for (const r of ROUTES) {
      expect(r.url).toMatch(/^\{\{ \.JsonData\.serviceUrl \}\}\/[a-z/]+$/);
    }
  });

  test('the admin secret is only on Admin routes, whose paths have no * (nothing can be appended to them)', () => {
    const carriesAdmin = ROUTES.filter((r) => r.headers.some((h) => h.content.includes('adminSecret')));
    expect(carriesAdmin.map((r) => r.path)).toEqual(['api/refresh', 'api/access/admin']);
    expect(carriesAdmin.every((r) => r.reqRole === 'Admin' && !r.path.includes('*'))).toBe(true);
    for (const r of ROUTES) {
      expect(r.headers.map((h) => h.name)).toEqual(r.path === 'readyz' ? [] : [SECRET_HEADER]);
    }
  });
});

describe('refreshing is for Admins only', () => {
  test.each(['None', 'Viewer', 'Editor'] as OrgRole[])(
    'as %s, a POST (or PUT, PATCH, DELETE) to any path is refused: 403 on api/refresh, 404 elsewhere',
    (role) => {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        for (const path of PROBE_PATHS) {
          const out = send(method, path, { role });
          expect(out.kind).toBe('refused');
          const isRefreshRoute = method === 'POST' && matchRoutePath('api/refresh', path) !== null;
          expect([path, out.kind === 'refused' && out.status]).toEqual([path, isRefreshRoute ? 403 : 404]);
        }
      }
    }
  );

  test("an Admin's POST to api/refresh goes to <serviceUrl>/api/refresh with the admin secret and the body", () => {
    const out = forwarded(
      send('POST', 'api/refresh', {
        role: 'Admin',
        body: '{"view":"pos.mv_x"}',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k1' },
      })
    );
    expect(out.url).toBe(`${SERVICE}/api/refresh`);
    expect(headerValue(out.headers, SECRET_HEADER)).toBe(ADMIN);
    expect(headerValue(out.headers, 'Idempotency-Key')).toBe('k1');
    expect(headerValue(out.headers, 'X-Grafana-Id')).toBe('signed-id-token-of-Admin');
    expect(out.body).toBe('{"view":"pos.mv_x"}');
  });

  test('a percent-encoded api/%72efresh is the same route to Grafana: 403 for an Editor, forwarded for an Admin', () => {
    expect(send('POST', 'api/%72efresh', { role: 'Editor' })).toMatchObject({ status: 403, routeIndex: 0 });
    expect(forwarded(send('POST', 'api/%72efresh', { role: 'Admin' })).url).toBe(`${SERVICE}/api/refresh`);
  });
});

describe('the admin secret never reaches a non-Admin', () => {
  test.each(['None', 'Viewer', 'Editor'] as OrgRole[])(
    'as %s, no request by any method to any path is forwarded with the admin secret in its url, headers or body',
    (role) => {
      let forwards = 0;
      for (const method of METHODS) {
        for (const path of PROBE_PATHS) {
          const out = send(method, path, { role, query: 'a=1', body: '{}' });
          if (out.kind === 'forward') {
            forwards++;
            expect(JSON.stringify([out.url, out.headers, out.body])).not.toContain(ADMIN);
          }
        }
      }
      // Not vacuous: a Viewer or Editor does get through the Viewer routes (None gets through none).
      expect(role === 'None' ? forwards === 0 : forwards > 10).toBe(true);
    }
  );

  test.each(['Viewer', 'Editor'] as OrgRole[])(
    'GET api/access/admin as %s is 403: the first matching route decides, api/access is never tried',
    (role) => {
      expect(send('GET', 'api/access/admin', { role })).toEqual({
        kind: 'refused',
        status: 403,
        contentType: 'application/json; charset=UTF-8',
        body: { message: 'plugin proxy route access denied' },
        routeIndex: 1,
      });
    }
  );

  test('GET api/access/admin as Admin reaches <serviceUrl>/api/access with the admin secret', () => {
    const out = forwarded(send('GET', 'api/access/admin', { role: 'Admin' }));
    expect([out.url, headerValue(out.headers, SECRET_HEADER)]).toEqual([`${SERVICE}/api/access`, ADMIN]);
  });
});

describe('reading goes to the right service URL with the read secret', () => {
  test.each([
    ['api/views', '', '/api/views'],
    ['api/views/', '', '/api/views'],
    ['api/views/pos.mv_x/history', 'limit=5', '/api/views/pos.mv_x/history?limit=5'],
    ['api/views/pos.mv_x/history', 'limit=50&before=1234', '/api/views/pos.mv_x/history?limit=50&before=1234'],
    ['api/runs/42', '', '/api/runs/42'],
    ['api/access', '', '/api/access'],
  ])(
    'GET %s (query %j) reaches <serviceUrl>%s with the read secret, for Viewer, Editor and Admin',
    (path, query, target) => {
      for (const role of ['Viewer', 'Editor', 'Admin'] as OrgRole[]) {
        const out = forwarded(send('GET', path, { role, query }));
        expect([out.url, headerValue(out.headers, SECRET_HEADER)]).toEqual([SERVICE + target, READ]);
      }
    }
  );

  test('GET readyz reaches <serviceUrl>/readyz with no secret header from Grafana', () => {
    const out = forwarded(send('GET', 'readyz'));
    expect(out.url).toBe(`${SERVICE}/readyz`);
    expect(headerValue(out.headers, SECRET_HEADER)).toBeUndefined();
  });

  test('a role below Viewer (None) is refused every read with 403', () => {
    for (const path of ['api/views', 'api/views/v/history', 'api/runs/1', 'api/access', 'readyz']) {
      expect(send('GET', path, { role: 'None' })).toMatchObject({ status: 403 });
    }
  });

  test.each([
    'api',
    'api/',
    'api/runs',
    'api/refresh',
    'api/access/x',
    'api/access/admin/x',
    'readyz/x',
    'metrics',
    'x',
    '',
  ])('GET %j is answered by Grafana itself with 404 plugin route match not found', (path) => {
    expect(send('GET', path, { role: 'Admin' })).toMatchObject({
      status: 404,
      body: { message: 'plugin route match not found' },
    });
  });
});

describe('what Grafana adds and strips on the way', () => {
  const hostile = {
    Cookie: 'grafana_session=abc',
    Authorization: 'Bearer stolen',
    'X-Grafana-User': 'admin',
    'X-Grafana-Id': 'forged.jwt.token',
    'X-Grafana-Device-Id': 'dev',
    [SECRET_HEADER]: 'guess',
    Origin: 'http://evil',
    Referer: 'http://grafana/d/abc',
    'X-Forwarded-Host': 'evil',
    'X-Forwarded-For': '1.2.3.4',
  };

  test('Cookie and Authorization are never forwarded, by any route, for any role', () => {
    for (const role of ROLES) {
      for (const path of PROBE_PATHS) {
        for (const method of ['GET', 'POST']) {
          const out = send(method, path, { role, headers: hostile });
          if (out.kind === 'forward') {
            expect([headerValue(out.headers, 'Cookie'), headerValue(out.headers, 'Authorization')]).toEqual([
              undefined,
              undefined,
            ]);
          }
        }
      }
    }
  });

  test("the route's secret replaces a client's, Grafana's ID token replaces a forged one, X-Grafana-User is dropped", () => {
    const out = forwarded(send('GET', 'api/views', { headers: hostile, remoteAddr: '10.0.0.5:51234' }));
    expect(headerValue(out.headers, SECRET_HEADER)).toBe(READ);
    expect(headerValue(out.headers, 'X-Grafana-Id')).toBe('signed-id-token-of-Viewer');
    expect(headerValue(out.headers, 'X-Grafana-User')).toBeUndefined();
    expect(headerValue(out.headers, 'X-Grafana-Device-Id')).toBeUndefined();
    expect(headerValue(out.headers, 'Origin')).toBeUndefined();
    expect(headerValue(out.headers, 'Referer')).toBeUndefined();
    expect(headerValue(out.headers, 'X-Grafana-Referer')).toBe('http://grafana/d/abc');
    expect(headerValue(out.headers, 'X-Forwarded-Host')).toBeUndefined();
    // Grafana's PrepareProxyRequest appends the client, then Go's ReverseProxy appends it again.
    expect(headerValue(out.headers, 'X-Forwarded-For')).toBe('1.2.3.4, 10.0.0.5, 10.0.0.5');
    expect(JSON.parse(headerValue(out.headers, 'X-Grafana-Context')!)).toMatchObject({
      Login: 'viewer-user',
      OrgRole: 'Viewer',
    });
  });

  test("headers Grafana does not set pass through: readyz forwards a client's own secret guess, and a client's X-Grafana-Id when the user has no token", () => {
    expect(headerValue(forwarded(send('GET', 'readyz', { headers: hostile })).headers, SECRET_HEADER)).toBe('guess');
    const noToken = forwarded(send('GET', 'api/views', { headers: hostile, user: userOf('Viewer', { idToken: '' }) }));
    expect(headerValue(noToken.headers, 'X-Grafana-Id')).toBe('forged.jwt.token');
  });

  test('X-Forwarded-For: Grafana appends the client; Go appends it again only when the address has a port', () => {
    const noPort = forwarded(send('GET', 'api/views', { remoteAddr: '10.0.0.1' }));
    expect(headerValue(noPort.headers, 'X-Forwarded-For')).toBe('10.0.0.1');
    const v6 = forwarded(send('GET', 'api/views', { remoteAddr: '[::1]:4000' }));
    expect(headerValue(v6.headers, 'X-Forwarded-For')).toBe('::1, ::1');
  });

  test('a client can make Go drop a header Grafana set by naming it in Connection (so a missing X-Grafana-Id proves nothing)', () => {
    const out = forwarded(send('POST', 'api/refresh', { role: 'Admin', headers: { Connection: 'X-Grafana-Id' } }));
    expect(headerValue(out.headers, 'X-Grafana-Id')).toBeUndefined();
    expect(headerValue(out.headers, SECRET_HEADER)).toBe(ADMIN);
  });

  test('X-Grafana-User carries the login only with [dataproxy] send_user_header, and only for users', () => {
    const on = { sendUserHeader: true };
    expect(headerValue(forwarded(send('GET', 'api/views', { config: on })).headers, 'X-Grafana-User')).toBe(
      'viewer-user'
    );
    const sa = userOf('Viewer', { identityType: 'service-account' });
    expect(headerValue(forwarded(send('GET', 'api/views', { config: on, user: sa })).headers, 'X-Grafana-User')).toBe(
      undefined
    );
    expect(headerValue(forwarded(send('GET', 'api/views')).headers, 'X-Grafana-User')).toBeUndefined();
  });

  test('the answer loses Set-Cookie and gets Content-Security-Policy: sandbox', () => {
    expect(proxyResponseHeaders({ 'set-cookie': 'a=b', 'content-type': 'application/json' })).toEqual({
      'Content-Type': 'application/json',
      'Content-Security-Policy': 'sandbox',
    });
  });
});

describe("Grafana's route matching, pinned on synthetic routes", () => {
  const viewer = userOf('Viewer');

  test('a method mismatch skips the route and the next one is tried', () => {
    const routes = [
      route('a', { method: 'POST', reqRole: 'Admin' }),
      route('a', { method: 'GET', url: 'http://h/get' }),
    ];
    expect(forwarded(send('GET', 'a', { routes, user: viewer })).url).toBe('http://h/get');
    expect(send('POST', 'a', { routes, user: viewer })).toMatchObject({ status: 403, routeIndex: 0 });
  });

  test('the first path match with a failed role is 403 even when a later route would allow the request', () => {
    const routes = [route('a/*', { reqRole: 'Admin' }), route('a/b')];
    expect(send('GET', 'a/b', { routes, user: viewer })).toMatchObject({ status: 403, routeIndex: 0 });
  });

  test("an empty or * method matches any method; otherwise the comparison is exact ('get' never matches GET)", () => {
    for (const method of METHODS) {
      expect(send(method, 'a', { routes: [route('a', { method: '*' })] }).kind).toBe('forward');
      expect(send(method, 'a', { routes: [route('a')] }).kind).toBe('forward');
    }
    expect(send('GET', 'a', { routes: [route('a', { method: 'get' })] })).toMatchObject({ status: 404 });
  });

  test('* appends the rest, percent-decoded and re-escaped as Go does, to the route url', () => {
    const routes = [route('api/*')];
    expect(forwarded(send('GET', 'api/x/y', { routes })).url).toBe('http://upstream:9000/base/x/y');
    expect(forwarded(send('GET', 'api/a%2Fb', { routes })).url).toBe('http://upstream:9000/base/a/b');
    expect(forwarded(send('GET', 'api/a%20b(1)', { routes })).url).toBe('http://upstream:9000/base/a%20b%281%29');
    expect(forwarded(send('GET', 'api/..%2F..%2Fadmin', { routes })).url).toBe('http://upstream:9000/base/../../admin');
  });

  test('a path without * matches only itself and forwards to the url with nothing appended', () => {
    const routes = [route('api/views')];
    expect(forwarded(send('GET', 'api/views', { routes })).url).toBe('http://upstream:9000/base');
    expect(send('GET', 'api/views/x', { routes })).toMatchObject({ status: 404 });
    expect(send('GET', 'api', { routes })).toMatchObject({ status: 404 });
  });

  test('trailing and leading slashes: one is trimmed from the request and the route path; `api/*` needs a segment after api/', () => {
    expect(forwarded(send('GET', 'api/views/', { routes: [route('api/views')] })).url).toBe(
      'http://upstream:9000/base'
    );
    expect(forwarded(send('GET', '/api/views', { routes: [route('/api/views/')] })).url).toBe(
      'http://upstream:9000/base'
    );
    expect(send('GET', 'api/views//', { routes: [route('api/views')] })).toMatchObject({ status: 404 });
    expect(matchRoutePath('api/*', 'api')).toBeNull();
    expect(matchRoutePath('api/*', 'api/')).toBeNull();
    expect(matchRoutePath('api/*', 'api//')).toEqual({ '*': '', '*0': '' });
    const star = [route('api/*')];
    expect(forwarded(send('GET', 'api/x/', { routes: star })).url).toBe('http://upstream:9000/base/x');
    const keep = { preserveTrailingSlash: true };
    expect(forwarded(send('GET', 'api/x/', { routes: star, config: keep })).url).toBe('http://upstream:9000/base/x/');
  });

  test('a malformed percent escape never matches a route', () => {
    expect(send('GET', 'api/%zz', { routes: [route('api/*')] })).toMatchObject({ status: 404 });
  });

  test("only the route url's scheme, host and path are used; the request's query goes through verbatim", () => {
    const routes = [route('a', { url: 'http://user:pw@h:1/p?dropped=1#f' })];
    const out = forwarded(send('GET', 'a', { routes, query: 'x=%20y&x=2' }));
    expect([out.url, out.host]).toEqual(['http://h:1/p?x=%20y&x=2', 'h:1']);
  });

  test('a serviceUrl ending in / yields //api/... (the template only concatenates; nothing normalizes the path)', () => {
    const settings = { ...SETTINGS, jsonData: { serviceUrl: `${SERVICE}/` } };
    expect(forwarded(send('GET', 'api/views', { settings })).url).toBe(`${SERVICE}//api/views`);
  });

  test('reqRole decodes like RoleType.UnmarshalText; absent means no check; the Grafana admin flag adds nothing', () => {
    expect([decodeRole('admin'), decodeRole('Editor'), decodeRole('')]).toEqual(['Admin', 'Editor', 'Viewer']);
    expect(() => decodeRole('superuser')).toThrow(RouteConfigError);
    expect(() => loadRoutes({ routes: [{ path: 'a', reqRole: 'ADMIN' }] })).toThrow(RouteConfigError);
    expect(send('GET', 'a', { routes: [route('a')], user: userOf('None') }).kind).toBe('forward');
    const serverAdmin = userOf('Viewer', { isGrafanaAdmin: true });
    expect(send('GET', 'a', { routes: [route('a', { reqRole: 'Admin' })], user: serverAdmin })).toMatchObject({
      status: 403,
    });
  });

  test('reqAction takes precedence over reqRole and is evaluated with scope plugins:id:<appId>', () => {
    const routes = [route('a', { reqRole: 'Viewer', reqAction: 'matviewops.refresh:run' })];
    const calls: string[] = [];
    const can = (action: string, scope: string) => (calls.push(`${action} ${scope}`), false);
    const out = send('GET', 'a', { routes, user: userOf('Admin', { can }), config: { appId: 'matviewops-app' } });
    expect([out.kind === 'refused' && out.status, calls]).toEqual([
      403,
      ['matviewops.refresh:run plugins:id:matviewops-app'],
    ]);
  });

  test('not signed in is 401 Unauthorized; a disabled app is 404 Plugin is not enabled', () => {
    expect(send('GET', 'api/views', { user: null })).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
    expect(send('GET', 'api/views', { settings: { ...SETTINGS, enabled: false } })).toMatchObject({
      status: 404,
      body: { message: 'Plugin is not enabled' },
    });
  });
});

describe("the route templates, with Go text/template's semantics", () => {
  const data = {
    URL: '',
    JsonData: { serviceUrl: SERVICE, port: 8787, big: 1_000_000, none: null, nested: { a: 'b' } },
    SecureJsonData: { readSecret: READ },
  };

  test('a missing key renders <no value> in JsonData and SecureJsonData alike; orEmpty renders it (and null) as ""', () => {
    expect(interpolate('{{ .JsonData.nope }}|{{ .SecureJsonData.adminSecret }}|{{ .JsonData.none }}', data)).toBe(
      '<no value>|<no value>|<no value>'
    );
    expect(interpolate('{{ orEmpty .JsonData.nope }}|{{ .JsonData.none | orEmpty }}|{{ .URL }}', data)).toBe('||');
  });

  test('numbers print as Go prints float64, nested maps are reachable, if/else and trim markers work', () => {
    expect(interpolate('{{.JsonData.port}} {{.JsonData.big}} {{.JsonData.nested.a}}', data)).toBe('8787 1e+06 b');
    expect(interpolate('{{ if .JsonData.nope }}x{{ else if .JsonData.port }}port{{ end }} \n {{- "!" }}', data)).toBe(
      'port!'
    );
  });

  test('a url template that fails to execute is a 500 from Grafana; an unset serviceUrl is a 502 (no scheme)', () => {
    const bad = [route('a', { url: '{{ .JsonData.serviceUrl.x }}/a' })];
    expect(send('GET', 'a', { routes: bad })).toMatchObject({
      status: 500,
      body: { message: 'Could not interpolate plugin route url' },
    });
    const header = [route('a', { headers: [{ name: 'X', content: '{{ .Nope }}' }] })];
    expect(send('GET', 'a', { routes: header })).toMatchObject({
      status: 500,
      body: { message: 'Failed to render plugin headers' },
    });
    expect(send('GET', 'api/views', { settings: { ...SETTINGS, jsonData: {} } })).toEqual({
      kind: 'refused',
      status: 502,
      body: null,
      routeIndex: 3,
    });
  });

  test("a route body replaces the client's when it renders to valid JSON, else the client's body is sent", () => {
    const ok = [route('a', { body: '{"secret":"{{ .SecureJsonData.readSecret }}"}' })];
    expect(forwarded(send('POST', 'a', { routes: ok, body: 'client' })).body).toBe(`{"secret":"${READ}"}`);
    const broken = [route('a', { body: '{{ .JsonData.serviceUrl }}' })];
    expect(forwarded(send('POST', 'a', { routes: broken, body: 'client' })).body).toBe('client');
  });
});
