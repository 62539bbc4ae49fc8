// What /readyz checks: the database answers, every migration this build ships is applied there, and
// something runs the due-views procedure (pg_cron's job, or this service's own tick).
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Pool } from 'pg';

// Same folder as db/migrate.ts uses; not imported from there because node-pg-migrate is ESM-only
// and the service (and its Jest tests) must not need it.
const MIGRATIONS_DIR = resolve(__dirname, '../../../sql/migrations');

export interface Check {
  ok: boolean;
  detail: string;
}

export interface Readiness {
  ready: boolean;
  checks: { database: Check; migrations: Check; scheduler: Check };
}

// Read once: the files are part of the deployed build and do not change while it runs.
let shipped: string[] | undefined;
function shippedMigrations(): string[] {
  shipped ??= readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.replace(/\.sql$/, ''))
    .sort();
  return shipped;
}

const notChecked: Check = { ok: false, detail: 'not checked: the database is not reachable' };

export async function checkReadiness(pool: Pool, tickEnabled: boolean): Promise<Readiness> {
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    // /readyz is unauthenticated: name the kind of failure, not hosts or ports.
    const code = (err as { code?: string }).code;
    const database = { ok: false, detail: `unreachable${code ? ` (${code})` : ''}` };
    return { ready: false, checks: { database, migrations: notChecked, scheduler: notChecked } };
  }
  const database = { ok: true, detail: 'reachable' };
  let migrations: Check;
  let scheduler: Check;
  try {
    const applied = new Set(
      (await pool.query<{ name: string }>('SELECT mv_ops.applied_migrations() AS name')).rows.map((r) => r.name)
    );
    const missing = shippedMigrations().filter((m) => !applied.has(m));
    migrations = missing.length
      ? { ok: false, detail: `not applied: ${missing.join(', ')} (run npm run db:migrate)` }
      : { ok: true, detail: `${applied.size} applied` };
  } catch (err) {
    migrations = { ok: false, detail: `cannot read applied migrations: ${(err as Error).message}`.slice(0, 200) };
  }
  try {
    const jobs = await pool.query<{ scheduler: string; job_name: string | null; active: boolean }>(
      'SELECT scheduler, job_name, active FROM mv_ops.scheduler_status()'
    );
    const cron = jobs.rows.some((j) => j.scheduler === 'pg_cron' && j.job_name === 'mv_ops_run_due' && j.active);
    scheduler =
      cron || tickEnabled
        ? { ok: true, detail: cron ? 'pg_cron job mv_ops_run_due' : 'this service (TICK_ENABLED)' }
        : { ok: false, detail: 'no pg_cron job and TICK_ENABLED is off: scheduled refreshes would never run' };
  } catch (err) {
    scheduler = { ok: false, detail: `cannot read scheduler status: ${(err as Error).message}`.slice(0, 200) };
  }
  return { ready: database.ok && migrations.ok && scheduler.ok, checks: { database, migrations, scheduler } };
}
