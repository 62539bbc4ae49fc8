// Types of the Grafana app-plugin proxy model (/api/plugin-proxy/<appId>/<path>). Reimplemented from
// reading grafana/grafana's source; see pluginProxy.ts for which file each behaviour comes from.

/** Org roles, lowest first. Grafana's `RoleType` (org / identity package): None < Viewer < Editor < Admin. */
export type OrgRole = 'None' | 'Viewer' | 'Editor' | 'Admin';

/** What kind of identity is signed in (user.SignedInUser.GetIdentityType()). */
export type IdentityType = 'user' | 'service-account' | 'api-key' | 'anonymous';

export interface RouteHeader {
  name: string;
  /** A Go template: `{{ .JsonData.x }}`, `{{ .SecureJsonData.y }}` (templates.ts implements the subset). */
  content: string;
}

/** One entry of plugin.json `routes`, as Grafana decodes it into `plugins.Route` (pkg/plugins/plugins.go). */
export interface PluginRoute {
  path: string;
  /** '' or '*' means any method; otherwise compared case-sensitively with the request's method. */
  method: string;
  /** Absent: no role check. Decoded like Grafana's RoleType.UnmarshalText ('' becomes Viewer). */
  reqRole?: OrgRole;
  /** RBAC action; takes precedence over reqRole. Needs `user.can`, else the model throws (not modelled). */
  reqAction?: string;
  url: string;
  headers: RouteHeader[];
  /** JSON text of `body` (json.RawMessage; re-serialized here, so compact); a Go template too. Absent: body untouched. */
  body?: string;
  /** Fields Grafana decodes but never applies to app routes (urlParams, tokenAuth, jwtTokenAuth, authType), or does not know at all (reqSignedIn). */
  ignored: string[];
}

export interface AppSettings {
  /** checkAppEnabled: a disabled app answers 404 "Plugin is not enabled" before any route is tried. */
  enabled: boolean;
  /** Plugin settings `jsonData` (numbers are float64 in Grafana, as JSON decodes them). */
  jsonData: Record<string, unknown> | null;
  /** Plugin settings `secureJsonData`, already decrypted. */
  secureJsonData: Record<string, string> | null;
}

export interface SignedInUser {
  login: string;
  orgRole: OrgRole;
  identityType?: IdentityType;
  userId?: number;
  uid?: string;
  orgId?: number;
  orgName?: string;
  name?: string;
  email?: string;
  isGrafanaAdmin?: boolean;
  teams?: number[];
  /** The signed ID token Grafana attaches to the identity (X-Grafana-Id); absent when signing failed. */
  idToken?: string;
  /** RBAC evaluation for `reqAction` routes, scope `plugins:id:<appId>`. Absent: such routes throw. */
  can?: (action: string, scope: string) => boolean;
}

export type HeaderInput = Record<string, string | readonly string[]>;

export interface ProxyRequest {
  method: string;
  /** What follows `/api/plugin-proxy/<appId>/`, still percent-encoded (Grafana uses URL.EscapedPath()). */
  proxyPath: string;
  /** Raw query string without '?'; Grafana forwards it verbatim. */
  query?: string;
  /** Headers the browser (or any client) sent. */
  headers?: HeaderInput;
  body?: string;
  /** The client's address as Go's server sees it (host:port); drives X-Forwarded-For. */
  remoteAddr?: string;
}

export interface ProxyConfig {
  /** The app id, for the RBAC scope of `reqAction` routes. */
  appId?: string;
  /** `[dataproxy] send_user_header` (default false). */
  sendUserHeader?: boolean;
  /** Feature toggle `pluginProxyPreserveTrailingSlash` (GA, off by default). */
  preserveTrailingSlash?: boolean;
  /** Extra headers Grafana authenticated with and strips: `[auth.jwt] header_name`, `[auth.proxy]` headers. */
  authHeaderNames?: string[];
}

export interface ProxyInput {
  routes: readonly PluginRoute[];
  request: ProxyRequest;
  /** null: not signed in. */
  user: SignedInUser | null;
  settings: AppSettings;
  config?: ProxyConfig;
}

/** Grafana's JSON error answer: `{"message": ...}` (plus `traceID` when an internal error is attached). */
export interface GrafanaErrorBody {
  message: string;
  traceID?: string;
}

export interface ProxyForward {
  kind: 'forward';
  routeIndex: number;
  route: PluginRoute;
  method: string;
  /** scheme://host + the request URI Go sends (escaped path, then `?` + the raw query if any). */
  url: string;
  /** The Host header (the route URL's host). */
  host: string;
  /** Outgoing headers, canonical names (Go's textproto form); several values joined with ", ". */
  headers: Record<string, string>;
  /** The body sent upstream: the route's interpolated `body` when it has one, else the client's. */
  body?: string;
}

export interface ProxyRefusal {
  kind: 'refused';
  status: number;
  /** 'application/json; charset=UTF-8' for Grafana's JSON errors; absent for an empty 502. */
  contentType?: string;
  body: GrafanaErrorBody | null;
  /** The route that decided, when one matched. */
  routeIndex?: number;
}

export type ProxyOutcome = ProxyForward | ProxyRefusal;
