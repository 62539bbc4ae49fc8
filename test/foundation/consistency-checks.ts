// The stack's parts must agree with each other, and nothing runs them together here (no Docker): each check
// below returns one sentence per disagreement, naming the files involved. consistency.test.ts runs them on the
// work tree (no problems) and on copies broken one way each (that problem, named).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { satisfies, valid } from 'semver';
import { CONFIG_VARIABLES, loadConfig } from '../../server/src/config';
import { DEFAULT_LOGINS } from '../../server/src/logins/roles';
import { LOGIN_VARIABLES } from '../../server/src/logins/targets';
import {
  expandedStrings,
  filesUnder,
  grafanaValue,
  hostPath,
  readIn,
  serviceRunning,
  variablesIn,
  type Stack,
} from './consistency-model';

const GRAFANA = 'grafana';
const BUILT_IN_UIDS = ['__expr__', '-- Grafana --', 'grafana', '-- Mixed --', '-- Dashboard --'];
const SECRETS_TARGET = '/run/secrets/matviewops';

interface DataSource {
  uid: string;
  type: string;
  user?: string;
  url?: string;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

const dataSources = (stack: Stack): Array<DataSource & { file: string }> =>
  Object.entries(stack.provisioning)
    .filter(([file]) => file.startsWith('provisioning/datasources/'))
    .flatMap(([file, doc]) => ((doc as { datasources?: DataSource[] }).datasources ?? []).map((d) => ({ ...d, file })));

const apps = (stack: Stack) =>
  ((stack.provisioning['provisioning/plugins/apps.yaml'] as { apps?: unknown[] })?.apps ?? []) as Array<{
    type: string;
    jsonData?: Record<string, string>;
    secureJsonData?: Record<string, string>;
  }>;

const appPlugin = (stack: Stack) => Object.values(stack.plugins).find((p) => p.type === 'app');

/** A provisioning value as the stack's Grafana sees it, or the reason it cannot be expanded. */
function inGrafana(stack: Stack, value: string): { value?: string; problem?: string } {
  try {
    return { value: grafanaValue(value, stack.env[GRAFANA] ?? {}, (p) => readIn(stack, GRAFANA, p)) };
  } catch (err) {
    return { problem: (err as Error).message };
  }
}

/** Every data source uid a dashboard or an alert rule uses is provisioned, with the type they expect. */
export function dataSourceUids(stack: Stack): string[] {
  const provisioned = new Map(dataSources(stack).map((d) => [d.uid, d.type]));
  const used: Array<{ file: string; uid: string; type?: string }> = [];
  const walk = (file: string, node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((n) => walk(file, n));
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'datasource' && v && typeof v === 'object' && 'uid' in v) {
          used.push({ file, uid: String((v as { uid: string }).uid), type: (v as { type?: string }).type });
        } else if (k === 'datasource' && typeof v === 'string') {
          used.push({ file, uid: v });
        } else if (k === 'datasourceUid' && typeof v === 'string') {
          used.push({ file, uid: v });
        } else {
          walk(file, v);
        }
      }
    }
  };
  for (const path of filesUnder(join(stack.root, 'provisioning/dashboards'), (n) => n.endsWith('.json'))) {
    walk(path.slice(stack.root.length + 1), JSON.parse(readFileSync(path, 'utf8')));
  }
  for (const [file, doc] of Object.entries(stack.provisioning)) {
    if (file.startsWith('provisioning/alerting/')) {
      walk(file, doc);
    }
  }
  const problems = new Set<string>();
  for (const { file, uid, type } of used) {
    if (BUILT_IN_UIDS.includes(uid)) {
      continue;
    }
    if (!provisioned.has(uid)) {
      problems.add(`${file} uses data source uid ${uid}, which no provisioning/datasources file provisions`);
    } else if (type && type !== provisioned.get(uid)) {
      problems.add(
        `${file} expects data source ${uid} to be ${type}, but it is provisioned as ${provisioned.get(uid)}`
      );
    }
  }
  return [...problems];
}

/** Grafana's environment, the provisioning files, the service's variables, db:logins' and .env.example agree. */
export function variables(stack: Stack): string[] {
  const problems: string[] = [];
  const grafanaEnv = stack.env[GRAFANA] ?? {};
  const referenced = new Set<string>();
  for (const [file, doc] of Object.entries(stack.provisioning)) {
    for (const { path, value } of expandedStrings(doc)) {
      for (const name of variablesIn(value)) {
        referenced.add(name);
        if (!grafanaEnv[name]) {
          problems.push(`${file} (${path}) uses ${name}, which docker-compose.yml does not give Grafana`);
        }
      }
      const expanded = inGrafana(stack, value);
      if (expanded.problem) {
        problems.push(`${file} (${path}) cannot be expanded by the stack's Grafana: ${expanded.problem}`);
      }
    }
  }
  for (const name of Object.keys(grafanaEnv).filter((n) => n.startsWith('MATVIEWOPS_'))) {
    if (!referenced.has(name)) {
      problems.push(`docker-compose.yml gives Grafana ${name}, which no provisioning file uses`);
    }
  }

  const service = serviceRunning(stack, /npm run server$/);
  if (!service) {
    return [...problems, 'docker-compose.yml has no service running npm run server'];
  }
  const [serviceName] = service;
  const serviceEnv = stack.env[serviceName];
  for (const name of Object.keys(serviceEnv).filter((n) => !CONFIG_VARIABLES.includes(n))) {
    problems.push(`docker-compose.yml gives ${serviceName} ${name}, which is not a variable the service reads`);
  }
  try {
    // As the container would start: every *_FILE read through its mounts.
    loadConfig(
      Object.fromEntries(
        Object.entries(serviceEnv).map(([k, v]) => [
          k,
          k.endsWith('_FILE') ? (hostPath(stack, serviceName, v) ?? v) : v,
        ])
      )
    );
  } catch (err) {
    problems.push(`${serviceName} would not start with docker-compose.yml's environment: ${(err as Error).message}`);
  }

  const logins = serviceRunning(stack, /docker\/stack\/logins\.sh/);
  if (!logins) {
    problems.push('docker-compose.yml has no step running docker/stack/logins.sh (npm run db:logins)');
  } else {
    const [loginsName] = logins;
    for (const [name, value] of Object.entries(stack.env[loginsName])) {
      if (!LOGIN_VARIABLES.includes(name) && name !== 'POSTGRES_PASSWORD_FILE') {
        problems.push(`docker-compose.yml gives ${loginsName} ${name}, which npm run db:logins does not read`);
      }
      if (name.endsWith('_FILE') && !existsSync(hostPath(stack, loginsName, value) ?? '')) {
        problems.push(`${loginsName}'s ${name} names ${value}, which the secrets step does not make`);
      }
    }
  }

  const example = readFileSync(join(stack.root, '.env.example'), 'utf8');
  const documented = [...example.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
  for (const name of CONFIG_VARIABLES.filter((n) => !documented.includes(n))) {
    problems.push(`.env.example does not document ${name}, which the service reads`);
  }
  for (const name of documented.filter((n) => !CONFIG_VARIABLES.includes(n))) {
    problems.push(`.env.example documents ${name}, which the service does not read`);
  }
  return problems;
}

/** Both plugin ids (the app and its nested panel) may load unsigned. */
export function unsignedIds(stack: Stack): string[] {
  const allowed = (stack.env[GRAFANA]?.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS ?? '').split(',').map((s) => s.trim());
  return Object.entries(stack.plugins)
    .filter(([, p]) => !allowed.includes(p.id))
    .map(([file, p]) => `${file} declares ${p.id}, which GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS does not allow`);
}

/** Every bind mount's source exists (or is built before its service starts), and Grafana finds what it is told. */
export function mountedPaths(stack: Stack): string[] {
  const problems: string[] = [];
  const builder = serviceRunning(stack, /npm run build:plugin/);
  const app = appPlugin(stack);
  for (const [name, service] of Object.entries(stack.compose.services)) {
    for (const mount of service.volumes ?? []) {
      const [source, target] = mount.split(':');
      if (!source.startsWith('.')) {
        if (!(source in (stack.compose.volumes ?? {}))) {
          problems.push(`${name} mounts volume ${source}, which docker-compose.yml does not declare`);
        }
        continue;
      }
      const built =
        source.replace(/^\.\//, '') === 'plugin/dist' &&
        builder &&
        service.depends_on?.[builder[0]]?.condition === 'service_completed_successfully';
      if (!built && !existsSync(join(stack.root, source))) {
        problems.push(`${name} mounts ${source} at ${target}, which does not exist in the repository`);
      }
    }
  }
  const mountOf = (target: string) =>
    (stack.compose.services[GRAFANA]?.volumes ?? []).find((v) => v.split(':')[1] === target)?.split(':')[0];
  if (app && mountOf(`/var/lib/grafana/plugins/${app.id}`)?.replace(/^\.\//, '') !== 'plugin/dist') {
    problems.push(`Grafana does not mount plugin/dist (the built ${app.id}) at /var/lib/grafana/plugins/${app.id}`);
  }
  if (mountOf('/etc/grafana/provisioning')?.replace(/^\.\//, '') !== 'provisioning') {
    problems.push('Grafana does not mount provisioning/ at /etc/grafana/provisioning');
  }
  if (!mountOf(SECRETS_TARGET)) {
    problems.push(`Grafana does not mount the secrets volume at ${SECRETS_TARGET}`);
  }
  const inGrafanaFile = (what: string, path: string, directory: boolean) => {
    const host = hostPath(stack, GRAFANA, path);
    if (!host || !existsSync(host) || (directory ? !filesUnder(host, () => true).length : false)) {
      problems.push(`${what} ${path} is nothing Grafana's mounts provide`);
    }
  };
  for (const [file, doc] of Object.entries(stack.provisioning).filter(([f]) =>
    f.startsWith('provisioning/dashboards/')
  )) {
    for (const provider of (doc as { providers?: Array<{ options?: { path?: string } }> }).providers ?? []) {
      inGrafanaFile(`${file}'s dashboard path`, provider.options?.path ?? '', true);
    }
  }
  const home = stack.env[GRAFANA]?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
  if (home) {
    inGrafanaFile('GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH', home, false);
  }
  // Scripts the steps run from the repository (working directory /app).
  for (const [name, service] of Object.entries(stack.compose.services)) {
    const words = Array.isArray(service.command) ? service.command : [];
    for (const script of words.filter((w) => /^docker\/.+\.(sh|mjs)$/.test(w))) {
      if (!existsSync(join(stack.root, script))) {
        problems.push(`${name} runs ${script}, which does not exist`);
      }
    }
  }
  return problems;
}

/** Grafana's image is pinned to a version every plugin.json's grafanaDependency accepts. */
export function grafanaVersion(stack: Stack): string[] {
  const image = stack.compose.services[GRAFANA]?.image ?? '';
  const version = /^grafana\/grafana(?:-enterprise)?:(\d+\.\d+\.\d+)$/.exec(image)?.[1];
  if (!version || !valid(version)) {
    return [`Grafana's image ${image || '(none)'} is not pinned to a release (grafana/grafana:X.Y.Z)`];
  }
  return Object.entries(stack.plugins)
    .filter(([, p]) => !satisfies(version, p.dependencies?.grafanaDependency ?? '*'))
    .map(
      ([file, p]) =>
        `Grafana ${version} does not satisfy ${file}'s grafanaDependency ${p.dependencies?.grafanaDependency}`
    );
}

/** The service's port, secret header, URL and secrets are those the app's provisioning and plugin.json routes use. */
export function serviceWiring(stack: Stack): string[] {
  const problems: string[] = [];
  const service = serviceRunning(stack, /npm run server$/);
  const app = appPlugin(stack);
  const provisioned = apps(stack).find((a) => a.type === app?.id);
  if (!service || !app || !provisioned) {
    return ['the service, the app plugin.json or its entry in provisioning/plugins/apps.yaml is missing'];
  }
  const [name, def] = service;
  const env = stack.env[name];
  const config = loadConfigOrNull(stack, name);
  const port = config?.port ?? Number(env.PORT);
  const header = config?.secretHeader ?? String(env.SECRET_HEADER ?? 'X-Matview-Ops-Secret').toLowerCase();
  if (env.HOST !== '0.0.0.0') {
    problems.push(`${name} listens on ${env.HOST ?? '127.0.0.1 (the default)'}: Grafana's container cannot reach it`);
  }
  const health = (def.healthcheck?.test ?? []).join(' ');
  if (!new RegExp(`http://127\\.0\\.0\\.1:${port}/(readyz|healthz)\\b`).test(health)) {
    problems.push(`${name}'s health check does not ask /readyz or /healthz on its port ${port}`);
  }
  const url = inGrafana(stack, provisioned.jsonData?.serviceUrl ?? '').value ?? '';
  if (url !== `http://${name}:${port}`) {
    problems.push(`provisioning/plugins/apps.yaml gives Grafana the service URL "${url}", not http://${name}:${port}`);
  }
  for (const route of app.routes ?? []) {
    if (!route.url?.startsWith('{{ .JsonData.serviceUrl }}/')) {
      problems.push(`plugin.json route ${route.path} does not target {{ .JsonData.serviceUrl }}/…`);
    }
    for (const h of route.headers ?? []) {
      if (h.name.toLowerCase() !== header) {
        problems.push(
          `plugin.json route ${route.path} sends ${h.name}, but the service reads its secret from ${header}`
        );
      }
      const key = /^\{\{ \.SecureJsonData\.(\w+) \}\}$/.exec(h.content)?.[1];
      if (!key || !provisioned.secureJsonData?.[key]) {
        problems.push(
          `plugin.json route ${route.path} sends ${h.content}, which apps.yaml's secureJsonData does not set`
        );
      }
    }
  }
  // The secrets Grafana injects are the service's own: the same files, read the same way.
  for (const [key, value] of [
    ['readSecret', config?.readSecret],
    ['adminSecret', config?.adminSecret],
  ] as const) {
    const injected = inGrafana(stack, provisioned.secureJsonData?.[key] ?? '').value;
    if (!value || injected !== value) {
      problems.push(
        `apps.yaml's secureJsonData.${key} is not the service's ${key === 'readSecret' ? 'READ' : 'ADMIN'}_SECRET`
      );
    }
  }
  const post = (app.routes ?? [])
    .filter((r) => r.method === 'POST')
    .map((r) => `/api/plugin-proxy/${app.id}/${r.path}`);
  if (stack.env[GRAFANA]?.GF_SECURITY_ACTIONS_ALLOW_POST_URL !== post.join(',')) {
    problems.push(`GF_SECURITY_ACTIONS_ALLOW_POST_URL is not exactly the app's POST route(s) ${post.join(',')}`);
  }
  if (
    env.GRAFANA_JWKS_URL !== `http://${GRAFANA}:3000/api/signing-keys/keys` ||
    env.REQUIRE_VERIFIED_IDENTITY !== 'true'
  ) {
    problems.push(`${name} does not require identities verified against http://${GRAFANA}:3000/api/signing-keys/keys`);
  }
  problems.push(...loginsWiring(stack, name));
  return problems;
}

function loadConfigOrNull(stack: Stack, service: string) {
  try {
    const env = stack.env[service];
    return loadConfig(
      Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, k.endsWith('_FILE') ? (hostPath(stack, service, v) ?? v) : v])
      )
    );
  } catch {
    return null;
  }
}

/** Each login db:logins makes is the one its user connects as, with the same password file. */
function loginsWiring(stack: Stack, serviceName: string): string[] {
  const problems: string[] = [];
  const logins = serviceRunning(stack, /docker\/stack\/logins\.sh/);
  if (!logins) {
    return problems;
  }
  const [loginsName, loginsDef] = logins;
  const loginsEnv = stack.env[loginsName];
  const words = Array.isArray(loginsDef.command) ? loginsDef.command : [];
  const serviceLogin = words[words.indexOf('docker/stack/logins.sh') + 1];
  const secret = (service: string, path: string | undefined) => {
    try {
      return path ? readIn(stack, service, path) : undefined;
    } catch {
      return undefined;
    }
  };
  const serviceEnv = stack.env[serviceName];
  if (new URL(serviceEnv.DATABASE_URL ?? 'postgresql://x').username !== serviceLogin) {
    problems.push(
      `${serviceName} connects as ${new URL(serviceEnv.DATABASE_URL ?? 'postgresql://x').username}, but ${loginsName} makes ${serviceLogin}`
    );
  }
  if (
    secret(serviceName, serviceEnv.DATABASE_PASSWORD_FILE) !== secret(loginsName, loginsEnv.SERVICE_LOGIN_PASSWORD_FILE)
  ) {
    problems.push(`${serviceName}'s DATABASE_PASSWORD_FILE is not the password ${loginsName} gives ${serviceLogin}`);
  }
  const fileOf: Record<string, string | undefined> = {
    [DEFAULT_LOGINS.sales]: loginsEnv.SALES_LOGIN_PASSWORD_FILE,
    [DEFAULT_LOGINS.platform]: loginsEnv.PLATFORM_LOGIN_PASSWORD_FILE,
  };
  const db =
    serviceRunning(stack, /^postgres /) ??
    Object.entries(stack.compose.services).find(([, s]) => s.build === './docker/postgres');
  for (const ds of dataSources(stack)) {
    const user = ds.user ?? '';
    const password = inGrafana(stack, ds.secureJsonData?.password ?? '').value;
    if (!(user in fileOf)) {
      problems.push(`${ds.file}: data source ${ds.uid} connects as ${user}, which db:logins does not make`);
    } else if (!password || password !== secret(loginsName, fileOf[user])) {
      problems.push(`${ds.file}: data source ${ds.uid}'s password is not the one ${loginsName} gives ${user}`);
    }
    const host = inGrafana(stack, ds.url ?? '').value;
    const database = inGrafana(stack, String(ds.jsonData?.database ?? '')).value;
    if (!db || host !== `${db[0]}:5432` || database !== stack.env[db[0]]?.POSTGRES_DB) {
      problems.push(`${ds.file}: data source ${ds.uid} points at ${host}/${database}, not the stack's database`);
    }
  }
  return problems;
}

export const CHECKS = { dataSourceUids, variables, unsignedIds, mountedPaths, grafanaVersion, serviceWiring };

export function checkStack(stack: Stack): string[] {
  return Object.values(CHECKS).flatMap((check) => check(stack));
}
