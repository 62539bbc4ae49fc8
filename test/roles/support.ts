// What the role tests share: the db:logins command line run as an operator would, and real password logins
// over TCP (the harness cluster trusts every local connection, so password checks are switched on per login).
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { REPO_ROOT } from '../harness/runMigrations';
import { waitFor } from '../harness/sql';

const run = promisify(execFile);

/** Variables db:logins reads: a test passes exactly those it means, never the caller's own. */
const LOGIN_VARS =
  /^(DATABASE_URL|(SALES|PLATFORM|TENANT|SERVICE)_LOGIN_PASSWORD(_FILE)?|PLATFORM_SUPER_ADMIN_USER_ID)$/;

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

export async function runLoginsCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !LOGIN_VARS.test(k)));
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', resolve(REPO_ROOT, 'server/src/cli/db-logins.ts'), ...args],
      { cwd: REPO_ROOT, env: { ...base, ...env }, timeout: 60_000 }
    );
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

/** A session as `role` with `password` over TCP to the test database. */
export async function connectAs(databaseUrl: string, role: string, password: string): Promise<Client> {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = encodeURIComponent(password);
  const c = new Client({ connectionString: url.toString() });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** The SQLSTATE a login attempt fails with, or 'connected'. */
export async function loginOutcome(databaseUrl: string, role: string, password: string): Promise<string> {
  try {
    await (await connectAs(databaseUrl, role, password)).end();
    return 'connected';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

/**
 * Makes the server check SCRAM passwords for these roles on 127.0.0.1 (lines ahead of the cluster's `trust`),
 * waits until it does, and returns the undo. A server that already checks them is left alone.
 */
export async function requirePasswords(
  owner: Client,
  databaseUrl: string,
  roles: string[]
): Promise<() => Promise<void>> {
  const probe = `hba_probe_${process.pid}`;
  await owner.query(`DROP ROLE IF EXISTS ${probe}`);
  await owner.query(`CREATE ROLE ${probe} LOGIN PASSWORD 'probe-password-1'`);
  try {
    if ((await loginOutcome(databaseUrl, probe, 'not-the-password')) === '28P01') {
      return async () => undefined;
    }
    const file = (await owner.query(`SHOW hba_file`)).rows[0].hba_file as string;
    try {
      accessSync(file, constants.W_OK);
    } catch {
      throw new Error(
        `${file} is not writable here, and the server accepts any password for ${probe}: cannot test logins`
      );
    }
    const original = readFileSync(file, 'utf8');
    const lines = [probe, ...roles].map((r) => `host all ${r} 127.0.0.1/32 scram-sha-256`).join('\n');
    writeFileSync(file, `${lines}\n${original}`);
    await waitFor(async () => {
      await owner.query(`SELECT pg_reload_conf()`);
      return (await loginOutcome(databaseUrl, probe, 'not-the-password')) === '28P01';
    }, 'the server to check passwords');
    return async () => {
      writeFileSync(file, original);
      await owner.query(`SELECT pg_reload_conf()`);
    };
  } finally {
    await owner.query(`DROP ROLE IF EXISTS ${probe}`);
  }
}
