// Starts the real refresh service on a free port against a test database, connected as a login
// that holds only mv_ops_operator, as the README tells operators to set it up.
import type { FastifyInstance } from 'fastify';
import { Client } from 'pg';
import { buildApp } from '../../server/src/app';
import { loadConfig, type Config } from '../../server/src/config';

export const READ_SECRET = 'read-secret-0123456789';
export const ADMIN_SECRET = 'admin-secret-0123456789';
export const SECRET_HEADER = 'x-matview-ops-secret';

export const asReader = { [SECRET_HEADER]: READ_SECRET };
export const asAdmin = { [SECRET_HEADER]: ADMIN_SECRET };

/** A LOGIN role granted mv_ops_operator (roles are cluster-wide; created once per cluster). */
export async function operatorUrl(superuserUrl: string): Promise<string> {
  const c = new Client({ connectionString: superuserUrl });
  await c.connect();
  try {
    // Two test files may race to create it; the loser's duplicate_object error is harmless.
    await c.query(`DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mv_refresh_service') THEN
          CREATE ROLE mv_refresh_service LOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    await c.query(`GRANT mv_ops_operator TO mv_refresh_service`);
  } finally {
    await c.end();
  }
  const u = new URL(superuserUrl);
  u.username = 'mv_refresh_service';
  return u.toString();
}

export interface Service {
  app: FastifyInstance;
  base: string;
  config: Config;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startService(
  databaseUrl: string,
  env: Record<string, string> = {},
  /** Receives the service's log lines (JSON), warnings and worse; otherwise it logs nothing. */
  log?: (line: string) => void
): Promise<Service> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: '0',
    READ_SECRET,
    ADMIN_SECRET,
    REFRESH_MIN_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await buildApp(config, log ? { level: 'warn', stream: { write: log } } : false);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const call = async (method: string, path: string, body: unknown, headers: Record<string, string>) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (e.g. /metrics): keep the text.
    }
    return { status: res.status, body: parsed as any, headers: res.headers };
  };
  return {
    app,
    base,
    config,
    get: (path, headers = {}) => call('GET', path, undefined, headers),
    post: (path, body, headers = {}) => call('POST', path, body, headers),
    close: () => app.close(),
  };
}
