// The service's configuration: the environment, validated once at start into a typed object.
// Every variable is documented in .env.example at the repository root. The secret-bearing ones may instead be
// read from files (NAME_FILE, config-files.ts).
import envSchema from 'env-schema';
import { FILE_VARIABLES, readFileVariables } from './config-files';

export interface Config {
  databaseUrl: string;
  host: string;
  port: number;
  readSecret: string;
  adminSecret: string;
  secretHeader: string;
  jwksUrl?: string;
  idIssuer?: string;
  idAudience?: string;
  requireVerifiedIdentity: boolean;
  minRefreshIntervalSeconds: number;
  maxRunningRuns: number;
  requestTimeoutMs: number;
  dbQueryTimeoutMs: number;
  dbConnectTimeoutMs: number;
  bodyLimitBytes: number;
  shutdownGraceMs: number;
  tickEnabled: boolean;
  tickIntervalMs: number;
  logLevel: string;
}

const int = (min: number, max: number, dflt: number) => ({
  type: 'integer',
  minimum: min,
  maximum: max,
  default: dflt,
});

const schema = {
  type: 'object',
  required: ['DATABASE_URL', 'READ_SECRET', 'ADMIN_SECRET'],
  properties: {
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    // The login's password when DATABASE_URL carries none (kept apart so it can come from a file).
    DATABASE_PASSWORD: { type: 'string', minLength: 1 },
    HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
    PORT: int(0, 65535, 8787),
    // 16 characters at least: these are the only thing between a Grafana viewer and a refresh.
    READ_SECRET: { type: 'string', minLength: 16 },
    ADMIN_SECRET: { type: 'string', minLength: 16 },
    SECRET_HEADER: { type: 'string', pattern: '^[A-Za-z0-9-]+$', default: 'X-Matview-Ops-Secret' },
    GRAFANA_JWKS_URL: { type: 'string', pattern: '^https?://' },
    GRAFANA_ID_ISSUER: { type: 'string', minLength: 1 },
    GRAFANA_ID_AUDIENCE: { type: 'string', minLength: 1 },
    REQUIRE_VERIFIED_IDENTITY: { type: 'boolean', default: false },
    REFRESH_MIN_INTERVAL_SECONDS: int(0, 86_400, 60),
    MAX_RUNNING_RUNS: int(1, 100, 4),
    REQUEST_TIMEOUT_MS: int(100, 600_000, 15_000),
    DB_QUERY_TIMEOUT_MS: int(100, 600_000, 5_000),
    DB_CONNECT_TIMEOUT_MS: int(100, 600_000, 3_000),
    BODY_LIMIT_BYTES: int(64, 10_485_760, 16_384),
    SHUTDOWN_GRACE_MS: int(0, 3_600_000, 30_000),
    TICK_ENABLED: { type: 'boolean', default: false },
    TICK_INTERVAL_MS: int(1_000, 3_600_000, 60_000),
    LOG_LEVEL: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
    },
  },
};

export class ConfigError extends Error {}

/** Every variable the service reads, NAME_FILE variants included (.env.example documents each; a test keeps them in step). */
export const CONFIG_VARIABLES = [...Object.keys(schema.properties), ...FILE_VARIABLES.map((name) => `${name}_FILE`)];

interface SchemaError {
  instancePath: string;
  keyword: string;
  params: { missingProperty?: string; allowedValues?: unknown[] };
  message?: string;
}

// One line per problem, naming the variable; values are never echoed (they may be secrets).
function describeProblems(errors: SchemaError[]): string[] {
  return errors.map((e) => {
    const name = e.params.missingProperty ?? e.instancePath.replace(/^\//, '');
    if (e.keyword === 'required') {
      return (FILE_VARIABLES as readonly string[]).includes(name)
        ? `${name} (or ${name}_FILE) is not set`
        : `${name} is not set`;
    }
    if (e.keyword === 'enum') {
      return `${name} must be one of: ${(e.params.allowedValues ?? []).join(', ')}`;
    }
    return `${name} ${e.message}`;
  });
}

/** DATABASE_URL with DATABASE_PASSWORD put in, percent-encoded as a URL's password must be. */
function withPassword(url: string, password: string | undefined): string {
  if (password === undefined) {
    return url;
  }
  const u = new URL(url);
  if (u.password) {
    throw new ConfigError(
      'Invalid configuration: DATABASE_URL carries a password and DATABASE_PASSWORD is set: give one'
    );
  }
  u.password = encodeURIComponent(password);
  if (!u.password) {
    // The URL standard keeps no credentials without a host (e.g. postgresql:///db?host=/run/postgresql).
    throw new ConfigError('Invalid configuration: DATABASE_PASSWORD needs a DATABASE_URL with a host name');
  }
  return u.toString();
}

type Env = Record<string, string | number | boolean | undefined>;

export function loadConfig(env: NodeJS.ProcessEnv | Env = process.env): Config {
  // Empty strings count as unset, so `FOO=` in a .env file falls back to the default.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '' && v !== undefined));
  const { env: data, problems: fileProblems } = readFileVariables(given);
  let e: Env = {};
  let schemaProblems: string[] = [];
  try {
    e = envSchema<Env>({ schema, data, env: false, dotenv: false });
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors;
    // A variable whose file could not be read is named once, by that problem, not again as "not set".
    const relevant = errors?.filter(
      (x) => !(x.keyword === 'required' && fileProblems.has(x.params.missingProperty ?? ''))
    );
    schemaProblems = relevant ? describeProblems(relevant) : [(err as Error).message];
  }
  const problems = [...fileProblems.values(), ...schemaProblems];
  if (problems.length) {
    throw new ConfigError(`Invalid configuration:\n${problems.map((l) => `  - ${l}`).join('\n')}`);
  }
  if (e.READ_SECRET === e.ADMIN_SECRET) {
    throw new ConfigError('Invalid configuration: READ_SECRET and ADMIN_SECRET must differ, or readers could refresh.');
  }
  if (e.REQUIRE_VERIFIED_IDENTITY && !e.GRAFANA_JWKS_URL) {
    throw new ConfigError(
      'Invalid configuration: REQUIRE_VERIFIED_IDENTITY=true needs GRAFANA_JWKS_URL to verify against.'
    );
  }
  const str = (k: string) => (e[k] === undefined ? undefined : String(e[k]));
  return {
    databaseUrl: withPassword(String(e.DATABASE_URL), str('DATABASE_PASSWORD')),
    host: String(e.HOST),
    port: Number(e.PORT),
    readSecret: String(e.READ_SECRET),
    adminSecret: String(e.ADMIN_SECRET),
    secretHeader: String(e.SECRET_HEADER).toLowerCase(),
    jwksUrl: str('GRAFANA_JWKS_URL'),
    idIssuer: str('GRAFANA_ID_ISSUER'),
    idAudience: str('GRAFANA_ID_AUDIENCE'),
    requireVerifiedIdentity: Boolean(e.REQUIRE_VERIFIED_IDENTITY),
    minRefreshIntervalSeconds: Number(e.REFRESH_MIN_INTERVAL_SECONDS),
    maxRunningRuns: Number(e.MAX_RUNNING_RUNS),
    requestTimeoutMs: Number(e.REQUEST_TIMEOUT_MS),
    dbQueryTimeoutMs: Number(e.DB_QUERY_TIMEOUT_MS),
    dbConnectTimeoutMs: Number(e.DB_CONNECT_TIMEOUT_MS),
    bodyLimitBytes: Number(e.BODY_LIMIT_BYTES),
    shutdownGraceMs: Number(e.SHUTDOWN_GRACE_MS),
    tickEnabled: Boolean(e.TICK_ENABLED),
    tickIntervalMs: Number(e.TICK_INTERVAL_MS),
    logLevel: String(e.LOG_LEVEL),
  };
}
