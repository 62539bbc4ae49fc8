// plugin.json `routes` as Grafana decodes them (encoding/json into plugins.Route, grafana
// pkg/plugins/plugins.go), and the org-role order the proxy checks them against.
import type { OrgRole, PluginRoute, RouteHeader } from './types';

export class RouteConfigError extends Error {}

// pkg/services/org (later pkg/apimachinery/identity) RoleType: rolePrecedence None 10, Viewer 20,
// Editor 30, Admin 40; Includes(other) is precedence >= other's. Older versions had no None.
const PRECEDENCE: Record<OrgRole, number> = { None: 10, Viewer: 20, Editor: 30, Admin: 40 };

/** RoleType.Includes: `role` may use a route requiring `required`. */
export function roleIncludes(role: OrgRole, required: OrgRole): boolean {
  return PRECEDENCE[role] >= PRECEDENCE[required];
}

const isRole = (s: string): s is OrgRole => Object.hasOwn(PRECEDENCE, s);

/**
 * RoleType.UnmarshalText: strings.Title ("admin" -> "Admin"); "" becomes Viewer; anything else that
 * is not a role fails the JSON decode, so Grafana does not load the plugin at all.
 */
export function decodeRole(value: string): OrgRole {
  const titled = value.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
  if (isRole(titled)) {
    return titled;
  }
  if (titled === '') {
    return 'Viewer';
  }
  throw new RouteConfigError(`invalid role value: ${value}`);
}

/** encoding/json matches struct fields exactly first, then case-insensitively. */
function pick(obj: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(obj, key)) {
    return obj[key];
  }
  const k = Object.keys(obj).find((o) => o.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : obj[k];
}

function str(obj: Record<string, unknown>, key: string, where: string): string {
  const v = pick(obj, key);
  if (v === undefined || v === null) {
    return '';
  }
  if (typeof v !== 'string') {
    throw new RouteConfigError(`${where}.${key}: cannot unmarshal ${typeof v} into a Go string`);
  }
  return v;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function decodeRoute(raw: unknown, i: number): PluginRoute {
  const where = `routes[${i}]`;
  if (!isObject(raw)) {
    throw new RouteConfigError(`${where}: not an object`);
  }
  const headersRaw = pick(raw, 'headers');
  if (headersRaw !== undefined && headersRaw !== null && !Array.isArray(headersRaw)) {
    throw new RouteConfigError(`${where}.headers: not an array`);
  }
  const headers: RouteHeader[] = (headersRaw ?? []).map((h: unknown, j: number) => {
    if (!isObject(h)) {
      throw new RouteConfigError(`${where}.headers[${j}]: not an object`);
    }
    return { name: str(h, 'name', `${where}.headers[${j}]`), content: str(h, 'content', `${where}.headers[${j}]`) };
  });
  const role = pick(raw, 'reqRole');
  if (role !== undefined && role !== null && typeof role !== 'string') {
    throw new RouteConfigError(`${where}.reqRole: not a string`);
  }
  const body = pick(raw, 'body');
  const route: PluginRoute = {
    path: str(raw, 'path', where),
    method: str(raw, 'method', where),
    url: str(raw, 'url', where),
    headers,
    ignored: ['urlParams', 'tokenAuth', 'jwtTokenAuth', 'authType', 'reqSignedIn'].filter(
      (k) => pick(raw, k) !== undefined
    ),
  };
  if (typeof role === 'string') {
    route.reqRole = decodeRole(role);
  }
  const action = str(raw, 'reqAction', where);
  if (action !== '') {
    route.reqAction = action;
  }
  // json.RawMessage keeps even a JSON null ("null"), and a non-nil Body replaces the request body.
  if (body !== undefined) {
    route.body = JSON.stringify(body);
  }
  return route;
}

/** The routes of a parsed plugin.json, in order. Throws RouteConfigError where Grafana would refuse to load the plugin. */
export function loadRoutes(pluginJson: unknown): PluginRoute[] {
  if (!isObject(pluginJson)) {
    throw new RouteConfigError('plugin.json is not an object');
  }
  const routes = pick(pluginJson, 'routes');
  if (routes === undefined || routes === null) {
    return [];
  }
  if (!Array.isArray(routes)) {
    throw new RouteConfigError('routes: not an array');
  }
  return routes.map(decodeRoute);
}
