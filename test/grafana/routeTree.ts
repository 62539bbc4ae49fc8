// Grafana's route path matching for app proxy routes. For each route, pluginproxy.go builds a one-route
// `web.NewTree()`, `t.Add(route.Path)` and calls `t.Match(proxyPath)` (grafana pkg/web/tree.go, a
// macaron fork). This reimplements that tree for one pattern:
//   - Add trims one trailing '/', then each level trims one leading '/' and splits at the next '/':
//     every segment but the last is a subtree, the last is the leaf.
//   - Match trims one leading and one trailing '/', then walks segment by segment; segments are
//     percent-decoded before comparing (url.PathUnescape; a bad escape never matches).
//   - A static leaf matches only the whole remaining path, so `api/views` does not match `api/views/x`.
//   - A `*` leaf matches the rest (even '' when one segment is left, e.g. `api//` for `api/*`) and
//     records it, decoded, as params['*']; `api/*` does not match `api` nor `api/`.
//   - A `*` subtree matches one segment (params['*<level>'], not '*': nothing is appended then).
// Not modelled (throw UnsupportedRoutePatternError): `:name` / regexp segments, `*.*`, optional `?x`.
import { pathUnescape as pathUnescapeOrNull } from './goNet';

export class UnsupportedRoutePatternError extends Error {}

type Segment = { kind: 'static'; text: string } | { kind: 'all' };

interface Chain {
  subtrees: Segment[];
  leaf: Segment;
}

function segment(text: string, pattern: string): Segment {
  if (text === '*') {
    return { kind: 'all' };
  }
  if (text.includes(':') || text === '*.*' || text.startsWith('?')) {
    throw new UnsupportedRoutePatternError(
      `route path ${JSON.stringify(pattern)}: segment ${JSON.stringify(text)} is a regexp, placeholder, *.* or optional pattern, which this model does not implement`
    );
  }
  return { kind: 'static', text };
}

/** Tree.Add for one pattern. */
export function compileRoutePath(pattern: string): Chain {
  const subtrees: Segment[] = [];
  let rest = pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
  for (;;) {
    if (rest.startsWith('/')) {
      rest = rest.slice(1);
    }
    const i = rest.indexOf('/');
    if (i < 0) {
      return { subtrees, leaf: segment(rest, pattern) };
    }
    subtrees.push(segment(rest.slice(0, i), pattern));
    rest = rest.slice(i + 1);
  }
}

type Params = Record<string, string>;

function matchLeaf(chain: Chain, depth: number, glob: number, url: string, params: Params): boolean {
  if (depth !== chain.subtrees.length) {
    return false; // this level holds a subtree, no leaf
  }
  const decoded = pathUnescapeOrNull(url);
  if (decoded === null) {
    return false;
  }
  if (chain.leaf.kind === 'static') {
    return chain.leaf.text === decoded;
  }
  params['*'] = decoded;
  params[`*${glob}`] = decoded;
  return true;
}

function matchSubtree(chain: Chain, depth: number, glob: number, seg: string, url: string, params: Params): boolean {
  const decoded = pathUnescapeOrNull(seg);
  if (decoded === null) {
    return false;
  }
  if (depth < chain.subtrees.length) {
    const sub = chain.subtrees[depth];
    if (sub.kind === 'static') {
      return sub.text === decoded && matchNext(chain, depth + 1, glob, url, params);
    }
    if (matchNext(chain, depth + 1, glob + 1, url, params)) {
      params[`*${glob}`] = decoded;
      return true;
    }
    return false;
  }
  // The level of the leaf: only a `*` leaf swallows the remaining segments.
  if (chain.leaf.kind === 'all') {
    const rest = pathUnescapeOrNull(`${seg}/${url}`);
    if (rest === null) {
      return false;
    }
    params['*'] = rest;
    params[`*${glob}`] = rest;
    return true;
  }
  return false;
}

function matchNext(chain: Chain, depth: number, glob: number, url: string, params: Params): boolean {
  const i = url.indexOf('/');
  return i < 0
    ? matchLeaf(chain, depth, glob, url, params)
    : matchSubtree(chain, depth, glob, url.slice(0, i), url.slice(i + 1), params);
}

/** Tree.Match for the single pattern: the params when it matches (params['*'] is the `*` rest), else null. */
export function matchRoutePath(pattern: string, proxyPath: string): Params | null {
  const chain = compileRoutePath(pattern);
  let url = proxyPath.startsWith('/') ? proxyPath.slice(1) : proxyPath;
  url = url.endsWith('/') ? url.slice(0, -1) : url;
  const params: Params = {};
  return matchNext(chain, 0, 0, url, params) ? params : null;
}
