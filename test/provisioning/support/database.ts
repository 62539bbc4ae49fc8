// A test database seeded with both packs by the repo's own seeders, refresh history at the test instants, and the
// logins Grafana's data sources use: a member of matviewops_sales_reader for the sales and operations data source,
// and a member of matviewops_platform_reader bound to a super admin for the platform one (what npm run db:logins
// makes as grafana_sales / grafana_platform; per-process names here, since roles are cluster-wide).
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PLATFORM_DATASOURCE_UID, SALES_DATASOURCE_UID } from '../../../provisioning/src/datasources';
import { ensureBinding, ensureLogin, firstSuperAdmin, READER_ROLES } from '../../../server/src/logins/roles';
import { funeralSeeder } from '../../../server/src/seed/funeral';
import { salesSeeder } from '../../../server/src/seed/sales';
import { openTestDatabase, type TestDb } from '../../harness/sql';
import { withDatabase } from '../../harness/testDatabase';
import { INSTANTS } from './ranges';

export const READER_ROLE: Record<string, string> = {
  [SALES_DATASOURCE_UID]: READER_ROLES.sales,
  [PLATFORM_DATASOURCE_UID]: READER_ROLES.platform,
};

export interface SeededDb {
  db: TestDb;
  owner: Client;
  /** The data source's login: its session, connected as Grafana connects. */
  login(datasourceUid: string): Client;
  /** Login role names by data source uid. */
  loginRole: Record<string, string>;
  /** A login of its own (e.g. a tenant's), connected; dropped by close(). */
  connectAs(role: string): Promise<Client>;
  createdRoles: string[];
  close(): Promise<void>;
}

export interface SeedScales {
  sales?: number;
  funeral?: number;
}

/** Sales seed 0.3 (about 4,400 lines over the full 478 days), funeral 0.05 (4 organisations): seconds, not minutes. */
export async function openSeededDatabase(label: string, scales: SeedScales = {}): Promise<SeededDb> {
  const db = await openTestDatabase(label);
  const owner = await db.session();
  await owner.query('SET jit = off');
  const progress = (): void => undefined;
  await salesSeeder.seed(owner, { scale: scales.sales ?? 0.3, seed: 1, progress });
  await funeralSeeder.seed(owner, { scale: scales.funeral ?? 0.05, seed: 1, progress });
  await refreshHistoryAt(
    owner,
    await db.session(),
    INSTANTS.map((i) => i.now)
  );

  const suffix = `${label}_${process.pid}`
    .replace(/[^a-z0-9_]/gi, '_')
    .toLowerCase()
    .slice(0, 40);
  const createdRoles: string[] = [];
  const sessions: Client[] = [];
  const createLogin = async (role: string, inRole: string): Promise<void> => {
    // As npm run db:logins makes them (LOGIN INHERIT, member of the reader role, a SCRAM password; the harness
    // cluster trusts local connections, so the password is never needed here).
    await ensureLogin(owner, role, inRole, randomBytes(18).toString('base64url'));
    createdRoles.push(role);
  };
  const connectAs = async (role: string): Promise<Client> => {
    const url = new URL(db.url);
    url.username = role;
    const c = new Client({ connectionString: url.toString() });
    c.on('error', () => undefined);
    await c.connect();
    // Grafana's pgx pool runs with the server's defaults; a runaway query should fail the test, not hang it.
    await c.query(`SET statement_timeout = '60s'`);
    sessions.push(c);
    return c;
  };

  const loginRole = {
    [SALES_DATASOURCE_UID]: `gs_${suffix}`,
    [PLATFORM_DATASOURCE_UID]: `gp_${suffix}`,
  };
  await createLogin(loginRole[SALES_DATASOURCE_UID], READER_ROLE[SALES_DATASOURCE_UID]);
  await createLogin(loginRole[PLATFORM_DATASOURCE_UID], READER_ROLE[PLATFORM_DATASOURCE_UID]);
  const superAdmin = await firstSuperAdmin(owner);
  if (!superAdmin) {
    throw new Error('the funeral seed made no super admin to bind the platform login to');
  }
  await ensureBinding(owner, loginRole[PLATFORM_DATASOURCE_UID], superAdmin);
  const logins: Record<string, Client> = {};
  for (const [uid, role] of Object.entries(loginRole)) {
    logins[uid] = await connectAs(role);
  }

  return {
    db,
    owner,
    loginRole,
    createdRoles,
    login: (uid) => {
      const c = logins[uid];
      if (!c) {
        throw new Error(
          `no login for data source uid ${JSON.stringify(uid)} (known: ${Object.keys(logins).join(', ')})`
        );
      }
      return c;
    },
    connectAs,
    close: async () => {
      await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
      await db.close();
      for (const role of createdRoles) {
        const c = new Client({ connectionString: withDatabase(db.url, 'postgres') });
        await c.connect();
        await c.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
        await c.end();
      }
    },
  };
}

/**
 * Refresh attempts logged a few hours and minutes before each instant (the engine's clock moved with
 * mv_ops.clock_offset), one of them failed (lock timeout, 55P03: another session holds the view), so the
 * operations panels and refresh annotations have runs and failures in range; then one real refresh.
 */
async function refreshHistoryAt(owner: Client, holder: Client, instants: Date[]): Promise<void> {
  const lockTimeout = (await owner.query(`SELECT value FROM mv_ops.setting WHERE name = 'lock_timeout'`)).rows[0].value;
  const moveClockTo = (at: Date) =>
    owner.query(`SELECT set_config('mv_ops.clock_offset', ($1::timestamptz - now())::text, false)`, [at]);
  for (const instant of instants) {
    for (const minutesBefore of [180, 20]) {
      await moveClockTo(new Date(instant.getTime() - minutesBefore * 60_000));
      await owner.query(`CALL mv_ops.refresh(requested_by => 'test history')`);
    }
    await moveClockTo(new Date(instant.getTime() - 60 * 60_000));
    await owner.query(`UPDATE mv_ops.setting SET value = '200 milliseconds' WHERE name = 'lock_timeout'`);
    // Writers are blocked, readers are not: the refresh waits for its lock and gives up after lock_timeout.
    await holder.query(`BEGIN; LOCK TABLE pos.mv_daily_sales_summary IN EXCLUSIVE MODE`);
    try {
      await owner.query(
        `CALL mv_ops.refresh(views => ARRAY['pos.mv_daily_sales_summary'], requested_by => 'test history')`
      );
    } finally {
      await holder.query('ROLLBACK');
      await owner.query(`UPDATE mv_ops.setting SET value = $1 WHERE name = 'lock_timeout'`, [lockTimeout]);
    }
  }
  await owner.query(`RESET mv_ops.clock_offset`);
  await owner.query(`CALL mv_ops.refresh(requested_by => 'test history')`);
}

export interface SqlResult {
  /** Rows as arrays, in column order (Grafana keeps duplicate column names; objects would not). */
  rows: unknown[][];
  fields: Array<{ name: string; dataTypeID: number }>;
}

/** Runs one statement in a session; rows as arrays with PostgreSQL's column types (OIDs). */
export async function runSql(c: Client, sql: string): Promise<SqlResult> {
  const r = await c.query({ text: sql, rowMode: 'array' });
  return { rows: r.rows as unknown[][], fields: r.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })) };
}

/** The rows as objects keyed by column name (the last of duplicate names wins). */
export const rowObjects = (r: SqlResult): Array<Record<string, unknown>> =>
  r.rows.map((row) => Object.fromEntries(r.fields.map((f, i) => [f.name, row[i]])));
