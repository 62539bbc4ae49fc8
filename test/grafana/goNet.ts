// The few Go standard-library behaviours Grafana's proxy relies on, reimplemented: header canonical
// names and Header.Get/Set/Del (net/textproto, net/http), PathUnescape and path escaping (net/url),
// url.Parse for a route URL, and util.JoinURLFragments (grafana pkg/util/url.go).

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** textproto.CanonicalMIMEHeaderKey: "x-grafana-id" -> "X-Grafana-Id"; a name with a non-token byte is kept as is. */
export function canonicalHeaderKey(name: string): string {
  if (!TOKEN.test(name)) {
    return name;
  }
  let upper = true;
  let out = '';
  for (const c of name) {
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}

/** http.Header: canonical names, ordered values. */
export class GoHeader {
  private readonly values = new Map<string, string[]>();

  static from(input: Record<string, string | readonly string[]> | undefined): GoHeader {
    const h = new GoHeader();
    for (const [name, v] of Object.entries(input ?? {})) {
      for (const value of typeof v === 'string' ? [v] : v) {
        h.add(name, value);
      }
    }
    return h;
  }

  /** Header.Get: the first value, '' when absent. */
  get(name: string): string {
    return this.values.get(canonicalHeaderKey(name))?.[0] ?? '';
  }

  has(name: string): boolean {
    return this.values.has(canonicalHeaderKey(name));
  }

  all(name: string): string[] {
    return [...(this.values.get(canonicalHeaderKey(name)) ?? [])];
  }

  set(name: string, value: string): void {
    this.values.set(canonicalHeaderKey(name), [value]);
  }

  add(name: string, value: string): void {
    const key = canonicalHeaderKey(name);
    this.values.set(key, [...(this.values.get(key) ?? []), value]);
  }

  del(name: string): void {
    this.values.delete(canonicalHeaderKey(name));
  }

  /** Several values of one header joined with ", " (how they travel as one field line). */
  toRecord(): Record<string, string> {
    return Object.fromEntries([...this.values].map(([k, v]) => [k, v.join(', ')]));
  }
}

const HEX = /^[0-9a-fA-F]{2}$/;

/** url.PathUnescape: %XX decoded, '+' kept; a malformed escape is an error (null here). */
export function pathUnescape(s: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < s.length;) {
    if (s[i] === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!HEX.test(hex)) {
        return null;
      }
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...new TextEncoder().encode(ch));
      i += ch.length;
    }
  }
  // Go strings are bytes; invalid UTF-8 becomes U+FFFD here (a divergence only for such bytes).
  return new TextDecoder().decode(new Uint8Array(bytes));
}

// net/url shouldEscape(c, encodePath): unreserved and $&+,/:;=@ stay, everything else (? included) is escaped.
const PATH_SAFE = /[A-Za-z0-9\-_.~$&+,/:;=@]/;

/** URL.EscapedPath() of a path Grafana just assigned (the incoming RawPath never matches it). */
export function escapePath(path: string): string {
  if (path === '*') {
    return '*';
  }
  let out = '';
  for (const byte of new TextEncoder().encode(path)) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && PATH_SAFE.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** util.JoinURLFragments (grafana pkg/util/url.go): one slash between the two parts; an empty b leaves a as is. */
export function joinUrlFragments(a: string, b: string): string {
  if (b.length === 0) {
    return a;
  }
  const aSlash = a.endsWith('/');
  const bSlash = b.startsWith('/');
  if (aSlash && bSlash) {
    return a + b.slice(1);
  }
  if (!aSlash && !bSlash) {
    return `${a}/${b}`;
  }
  return a + b;
}

export class GoUrlError extends Error {}

export interface GoUrl {
  scheme: string;
  host: string;
  /** Decoded path (url.URL.Path). */
  path: string;
}

/**
 * url.Parse, as far as Grafana uses its result (scheme, host, path): userinfo, query and fragment
 * are parsed away and then dropped, since the director copies only Scheme, Host and Path.
 */
export function parseGoUrl(raw: string): GoUrl {
  if (/[\x00-\x1f\x7f]/.test(raw)) {
    throw new GoUrlError('net/url: invalid control character in URL');
  }
  let rest = raw.split('#')[0];
  let scheme = '';
  const m = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(rest);
  if (m) {
    scheme = m[1].toLowerCase();
    rest = rest.slice(m[0].length);
  } else if (rest.startsWith(':')) {
    throw new GoUrlError('missing protocol scheme');
  }
  rest = rest.split('?')[0];
  if (scheme !== '' && !rest.startsWith('/')) {
    // An opaque URL (mailto:x): no host, no path.
    return { scheme, host: '', path: '' };
  }
  if (scheme === '' && !rest.startsWith('/')) {
    const colon = rest.indexOf(':');
    const slash = rest.indexOf('/');
    if (colon >= 0 && (slash < 0 || colon < slash)) {
      throw new GoUrlError('first path segment in URL cannot contain colon');
    }
  }
  let host = '';
  if ((scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    const afterSlashes = rest.slice(2);
    const end = afterSlashes.indexOf('/');
    const authority = end < 0 ? afterSlashes : afterSlashes.slice(0, end);
    rest = end < 0 ? '' : afterSlashes.slice(end);
    host = authority.slice(authority.lastIndexOf('@') + 1);
    const port = /:([^\]:]*)$/.exec(host.replace(/^\[[^\]]*\]/, ''));
    if (port && !/^[0-9]*$/.test(port[1])) {
      throw new GoUrlError(`invalid port ":${port[1]}" after host`);
    }
  }
  const path = pathUnescape(rest);
  if (path === null) {
    throw new GoUrlError('invalid URL escape');
  }
  return { scheme, host, path };
}
