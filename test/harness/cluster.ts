// A throwaway PostgreSQL 15 cluster: initdb in a temp dir, a free port, pg_cron preloaded.
// Everything it creates is removed by stop(), which is safe to call more than once.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresInstall } from './postgresInstall';
import { freePort } from './freePort';

export interface ClusterOptions {
  /** The database pg_cron runs its jobs in (cron.database_name). */
  cronDatabase: string;
  /** A fixed port instead of a free one (tests of the failure path). */
  port?: number;
  /** Server binaries other than the installed ones (a test's pared-down copy). */
  binDir?: string;
}

export interface Cluster {
  dataDir: string;
  baseDir: string;
  port: number;
  /** Superuser URL for a database on this cluster. */
  url(database: string): string;
  stop(): void;
}

const SERVER_USER = 'postgres';

// initdb and postgres refuse to run as root; CI runs as root, so hand the work to the postgres user.
function runAsServerUser(bin: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', SERVER_USER, '--', bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function serverConfig(port: number, socketDir: string, cronDatabase: string): string {
  return [
    `port = ${port}`,
    `listen_addresses = '127.0.0.1'`,
    `unix_socket_directories = '${socketDir}'`,
    `shared_preload_libraries = 'pg_cron,pg_stat_statements'`,
    `cron.database_name = '${cronDatabase}'`,
    // Background workers instead of libpq connections back to ourselves: no auth setup needed.
    `cron.use_background_workers = on`,
    `max_worker_processes = 32`,
    `max_connections = 200`,
    // Durability is pointless for a cluster deleted at the end of the run; speed is not.
    `fsync = off`,
    `synchronous_commit = off`,
    `full_page_writes = off`,
    `timezone = 'UTC'`,
  ].join('\n');
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const binDir = options.binDir ?? findPostgresInstall().binDir;
  const baseDir = mkdtempSync(join(tmpdir(), 'matview-ops-pg-'));
  const dataDir = join(baseDir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const ids = execFileSync('id', ['-u', SERVER_USER]).toString().trim();
    const gid = execFileSync('id', ['-g', SERVER_USER]).toString().trim();
    chownSync(baseDir, Number(ids), Number(gid));
  }
  let started = false;
  const port = options.port ?? (await freePort());
  const stop = (): void => {
    if (started) {
      try {
        runAsServerUser(join(binDir, 'pg_ctl'), ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
      } catch {
        // Already stopped (or never fully started): removing the directory is what matters now.
      }
      started = false;
    }
    rmSync(baseDir, { recursive: true, force: true });
  };
  try {
    runAsServerUser(join(binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      SERVER_USER,
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
    writeFileSync(join(dataDir, 'postgresql.auto.conf'), serverConfig(port, baseDir, options.cronDatabase) + '\n');
    if (asRoot) {
      execFileSync('chown', [`${SERVER_USER}:`, join(dataDir, 'postgresql.auto.conf')]);
    }
    started = true;
    runAsServerUser(join(binDir, 'pg_ctl'), [
      'start',
      '-D',
      dataDir,
      '-w',
      '-t',
      '60',
      '-l',
      join(baseDir, 'server.log'),
    ]);
  } catch (err) {
    stop();
    throw err;
  }
  return {
    dataDir,
    baseDir,
    port,
    url: (database) => `postgresql://${SERVER_USER}@127.0.0.1:${port}/${database}`,
    stop,
  };
}

/** Stops the cluster however the process ends: normal exit, Ctrl-C or a CI timeout's SIGTERM. */
export function stopOnExit(cluster: Cluster): void {
  process.once('exit', cluster.stop);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cluster.stop();
      process.exit(130);
    });
  }
}

/** Stops the server but keeps its data directory, so restartServer() brings the same cluster back. */
export function pauseServer(cluster: Cluster): void {
  const { binDir } = findPostgresInstall();
  runAsServerUser(join(binDir, 'pg_ctl'), ['stop', '-D', cluster.dataDir, '-m', 'fast', '-w']);
}

/** Starts a cluster stopped with pauseServer() again, on the same port. */
export function restartServer(cluster: Cluster): void {
  const { binDir } = findPostgresInstall();
  runAsServerUser(join(binDir, 'pg_ctl'), [
    'start',
    '-D',
    cluster.dataDir,
    '-w',
    '-t',
    '60',
    '-l',
    join(cluster.baseDir, 'server.log'),
  ]);
}
