// The stack as data, read from a directory (the work tree, or a copy a test has broken on purpose): the compose
// file as Compose resolves its values, Grafana's provisioning files as Grafana expands them, the plugin's
// plugin.json files, and the secrets the stack's `secrets` step generates (the script is really run, into a temp dir).
// Expansion rules, from the tools' sources: Compose's `${VAR:-default}`, `${VAR}`, `$$`; Grafana's provisioning
// (pkg/services/provisioning/values/values.go interpolateValue, pkg/setting/expanders.go): split on `$$`, then the
// env expander (`${VAR}`, `$__env{VAR}`), then the file expander (`$__file{path}`, content trimmed) on what that
// produced, then os.ExpandEnv (`$VAR`, `${VAR}`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';

export interface Service {
  build?: string | { context: string };
  image?: string;
  user?: string;
  command?: string | string[];
  working_dir?: string;
  environment?: Record<string, string | number | boolean | null>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
export interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

export interface Stack {
  root: string;
  compose: ComposeFile;
  /** Each service's environment as the container receives it (Compose interpolation applied, no host variables). */
  env: Record<string, Record<string, string>>;
  /** provisioning/**\/*.yaml, parsed, by path relative to root. */
  provisioning: Record<string, unknown>;
  /** plugin/src/**\/plugin.json, parsed, by path relative to root. */
  plugins: Record<string, PluginJson>;
  /** Directory the secrets step wrote into, and the names it made. */
  secrets: { dir: string; names: string[] };
}

export interface PluginJson {
  id: string;
  type: string;
  routes?: Array<{ path: string; method?: string; url?: string; headers?: Array<{ name: string; content: string }> }>;
  dependencies?: { grafanaDependency?: string };
}

/** A value as Compose passes it on: `${VAR:-default}` / `${VAR}` / `$VAR` from the host (none here), `$$` → `$`. */
export function composeValue(value: unknown, host: Record<string, string> = {}): string {
  return String(value ?? '').replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, dflt?: string, bare?: string) => {
      if (whole === '$$') {
        return '$';
      }
      const name = braced ?? bare ?? '';
      return host[name] || dflt || '';
    }
  );
}

const EXPANDER = /\$(|__\w+)\{([^}]+)\}/g;

/** A provisioning value as Grafana expands it; `readFile` answers `$__file{}` (a missing file throws, as in Grafana). */
export function grafanaValue(value: string, env: Record<string, string>, readFile: (path: string) => string): string {
  return value
    .split('$$')
    .map((part) => {
      const afterEnv = part.replace(EXPANDER, (whole, kind: string, arg: string) =>
        kind === '' || kind === '__env' ? (env[arg] ?? '') : whole
      );
      const afterFile = afterEnv.replace(EXPANDER, (whole, kind: string, arg: string) =>
        kind === '__file' ? readFile(arg).trim() : whole
      );
      return afterFile.replace(
        /\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
        (_w, a?: string, b?: string) => env[a ?? b ?? ''] ?? ''
      );
    })
    .join('$');
}

/** The environment variable names a provisioning value refers to (`${X}`, `$X`, `$__env{X}`). */
export function variablesIn(value: string): string[] {
  const names = new Set<string>();
  for (const part of value.split('$$')) {
    for (const m of part.matchAll(/\$(?:__env)?\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
      names.add(m[1] ?? m[2]);
    }
  }
  return [...names];
}

/**
 * Every string Grafana expands in a provisioning file, with its path. Alert rules' `model` and `annotations`
 * are kept raw by Grafana (their `$labels` and macros survive), so they are left out.
 */
export function expandedStrings(doc: unknown, path = ''): Array<{ path: string; value: string }> {
  if (typeof doc === 'string') {
    return [{ path, value: doc }];
  }
  if (Array.isArray(doc)) {
    return doc.flatMap((v, i) => expandedStrings(v, `${path}[${i}]`));
  }
  if (doc && typeof doc === 'object') {
    return Object.entries(doc).flatMap(([k, v]) =>
      /\.rules\[\d+\]\.data\[\d+\]$/.test(path) && k === 'model'
        ? []
        : /\.rules\[\d+\]$/.test(path) && k === 'annotations'
          ? []
          : expandedStrings(v, path ? `${path}.${k}` : k)
    );
  }
  return [];
}

export function filesUnder(dir: string, test: (name: string) => boolean): string[] {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, test) : test(name) ? [path] : [];
  });
}

/** Runs the stack's secrets step (docker/secrets/generate.sh of `root`) into a fresh temp dir. */
export function generateSecrets(root: string): { dir: string; names: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'stack-secrets-'));
  execFileSync('sh', [join(root, 'docker/secrets/generate.sh')], { env: { PATH: process.env.PATH, SECRETS_DIR: dir } });
  return { dir, names: readdirSync(dir).sort() };
}

export function loadStack(root: string): Stack {
  const compose: ComposeFile = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
  const env = Object.fromEntries(
    Object.entries(compose.services).map(([name, s]) => [
      name,
      Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, composeValue(v)])),
    ])
  );
  const provisioning = Object.fromEntries(
    filesUnder(join(root, 'provisioning'), (n) => /\.ya?ml$/.test(n))
      .filter((p) => !relative(root, p).startsWith('provisioning/src/'))
      .map((p) => [relative(root, p), parse(readFileSync(p, 'utf8'))])
  );
  const plugins = Object.fromEntries(
    filesUnder(join(root, 'plugin/src'), (n) => n === 'plugin.json').map((p) => [
      relative(root, p),
      JSON.parse(readFileSync(p, 'utf8')) as PluginJson,
    ])
  );
  return { root, compose, env, provisioning, plugins, secrets: generateSecrets(root) };
}

/** The compose service running `npm run <script>` (or a docker/stack script), by its command. */
export function serviceRunning(stack: Stack, pattern: RegExp): [string, Service] | undefined {
  return Object.entries(stack.compose.services).find(([, s]) =>
    pattern.test(Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? ''))
  );
}

/** Container path → host path, through the service's bind mounts and its `secrets` volume (→ the generated dir). */
export function hostPath(stack: Stack, service: string, containerPath: string): string | undefined {
  for (const mount of stack.compose.services[service]?.volumes ?? []) {
    const [source, target] = mount.split(':');
    if (containerPath !== target && !containerPath.startsWith(`${target}/`)) {
      continue;
    }
    const rest = containerPath.slice(target.length);
    if (source.startsWith('.')) {
      return join(stack.root, source, rest);
    }
    if (source === 'secrets') {
      return join(stack.secrets.dir, rest);
    }
  }
  return undefined;
}

/** A file a service reads by its container path, or an Error saying why it cannot. */
export function readIn(stack: Stack, service: string, containerPath: string): string {
  const host = hostPath(stack, service, containerPath);
  if (!host || !existsSync(host) || !statSync(host).isFile()) {
    throw new Error(`${service} has no file ${containerPath}${host ? ` (${relative(stack.root, host) || host})` : ''}`);
  }
  return readFileSync(host, 'utf8');
}
