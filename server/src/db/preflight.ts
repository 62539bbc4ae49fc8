// Checks a database before migrating: reachable, PostgreSQL 15+, PostGIS installable, and whether
// pg_cron can be used. Failures name the Debian package that fixes them.
import { Client } from 'pg';
import { describeConnectionError, describeTarget } from './connectionErrors';

export class PreflightError extends Error {}

export interface PreflightReport {
  serverVersion: string;
  /** pg_cron is installed, preloaded and this is its cron.database_name. */
  schedulerAvailable: boolean;
  schedulerReason: string;
}

const MIN_VERSION_NUM = 150000;

export async function preflight(databaseUrl: string): Promise<PreflightReport> {
  const target = describeTarget(databaseUrl);
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new PreflightError(describeConnectionError(err, target));
  }
  try {
    const { rows } = await client.query<{
      version_num: string;
      version: string;
      has_postgis: boolean;
      has_pg_cron: boolean;
      preload: string;
      cron_db: string | null;
      db: string;
    }>(`SELECT current_setting('server_version_num') AS version_num,
               current_setting('server_version') AS version,
               EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis') AS has_postgis,
               EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_cron') AS has_pg_cron,
               current_setting('shared_preload_libraries') AS preload,
               current_setting('cron.database_name', true) AS cron_db,
               current_database() AS db`);
    const info = rows[0];
    const major = Math.floor(Number(info.version_num) / 10000);
    if (Number(info.version_num) < MIN_VERSION_NUM) {
      throw new PreflightError(`PostgreSQL ${info.version} at ${target} is too old: matview-ops needs 15 or newer.`);
    }
    if (!info.has_postgis) {
      throw new PreflightError(
        `The PostGIS extension is not installed on the server at ${target}.\n` +
          `On Debian/Ubuntu install it with: apt-get install -y postgresql-${major}-postgis-3`
      );
    }
    return { serverVersion: info.version, ...schedulerStatus(info, major) };
  } finally {
    await client.end();
  }
}

function schedulerStatus(
  info: { has_pg_cron: boolean; preload: string; cron_db: string | null; db: string },
  major: number
): Pick<PreflightReport, 'schedulerAvailable' | 'schedulerReason'> {
  if (!info.has_pg_cron) {
    return {
      schedulerAvailable: false,
      schedulerReason: `pg_cron is not installed (apt-get install -y postgresql-${major}-cron); scheduled refreshes need an external tick.`,
    };
  }
  if (
    !info.preload
      .split(',')
      .map((s) => s.trim())
      .includes('pg_cron')
  ) {
    return {
      schedulerAvailable: false,
      schedulerReason: `pg_cron is installed but not in shared_preload_libraries; add it and restart PostgreSQL to enable scheduling.`,
    };
  }
  if (info.cron_db !== info.db) {
    return {
      schedulerAvailable: false,
      schedulerReason: `pg_cron runs in database "${info.cron_db}", not "${info.db}"; set cron.database_name = '${info.db}' to schedule here.`,
    };
  }
  return { schedulerAvailable: true, schedulerReason: 'pg_cron is available in this database.' };
}
