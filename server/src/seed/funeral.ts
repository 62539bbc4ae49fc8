// Demo data for the funeral pack: at scale 1, 50 organisations, 12K customers and 20K reservations over the
// last two years (with lines, payments, reviews) plus slots for the coming three weeks.
import type { Client } from 'pg';
import { AVAILABILITIES, PAYMENTS, RESERVATIONS, REVIEWS } from './funeral-bookings.sql';
import {
  CATALOGUE,
  CREATE_HELPERS,
  ORGANIZATIONS,
  PARTITIONS,
  RESTORE_BINDINGS,
  SAVE_BINDINGS,
  TRUNCATE,
  USERS,
} from './funeral.sql';
import type { PackSeeder, SeedOptions, SeedResult } from './types';

const CHUNKS = 20;

export function funeralVolumes(scale: number): { orgs: number; customers: number; reservations: number } {
  return {
    orgs: Math.max(4, Math.round(50 * scale)),
    customers: Math.max(20, Math.round(12_000 * scale)),
    reservations: Math.max(40, Math.round(20_000 * scale)),
  };
}

const TABLES = [
  'organizations',
  'users',
  'organization_users',
  'services',
  'locations',
  'pricing_plans',
  'reservations',
  'reservation_services',
  'payments',
  'reviews',
  'availabilities',
];

function reportBindings(rows: Array<{ role: string; kept: boolean }>, progress: (line: string) => void): void {
  const kept = rows.filter((r) => r.kept).map((r) => r.role);
  const dropped = rows.filter((r) => !r.kept).map((r) => r.role);
  if (kept.length) {
    progress(`funeral: kept the login binding(s) of ${kept.join(', ')}`);
  }
  if (dropped.length) {
    progress(
      `funeral: dropped the login binding(s) of ${dropped.join(', ')}: the role or its user is not in the new data (run npm run db:logins again)`
    );
  }
}

async function seedFuneral(client: Client, { scale, seed, progress }: SeedOptions): Promise<SeedResult> {
  const { orgs, customers, reservations } = funeralVolumes(scale);
  const fmt = (n: number): string => n.toLocaleString('en-US');
  await client.query('BEGIN');
  try {
    // The generators' row estimates are huge, so PostgreSQL would spend seconds JIT-compiling each statement.
    await client.query('SET LOCAL jit = off');
    if (
      scale > 5 &&
      (await client.query(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`)).rows[0]?.rolsuper
    ) {
      // Foreign-key checks are row triggers and cost more than generating the rows. Keys exist by construction
      // (small scales, as the tests run, keep every check), so large loads skip triggers; the views and the
      // availability aggregate are fully refreshed afterwards, so the skipped change journal is not needed.
      await client.query('SET LOCAL session_replication_role = replica');
      progress('funeral: trigger-free bulk load (foreign keys are valid by construction; checked at scale <= 5)');
    }
    await client.query(CREATE_HELPERS);
    await client.query(SAVE_BINDINGS);
    await client.query(TRUNCATE);
    await client.query(PARTITIONS);
    await client.query(ORGANIZATIONS, [orgs, seed]);
    await client.query(USERS, [orgs, seed, customers]);
    reportBindings((await client.query(RESTORE_BINDINGS)).rows, progress);
    await client.query(CATALOGUE, [orgs, seed]);
    progress(`funeral: ${fmt(orgs)} organisations, ${fmt(customers)} customers, services, locations and plans`);
    const step = Math.ceil(reservations / CHUNKS);
    for (let from = 1; from <= reservations; from += step) {
      const to = Math.min(reservations, from + step - 1);
      const args = [orgs, seed, from, to, customers];
      await client.query(RESERVATIONS, args);
      await client.query(PAYMENTS, [seed, from, to]);
      await client.query(REVIEWS, [seed, from, to]);
      progress(`funeral: ${Math.round((to / reservations) * 100)}% (${fmt(to)} of ${fmt(reservations)} reservations)`);
    }
    await client.query(`SELECT setval('funeral.reservations_id_seq', $1)`, [reservations]);
    const orgStep = Math.ceil(orgs / 4);
    for (let from = 1; from <= orgs; from += orgStep) {
      await client.query(AVAILABILITIES, [seed, from, Math.min(orgs, from + orgStep - 1)]);
    }
    progress('funeral: availability for the coming three weeks');
    const counts = await client.query(
      TABLES.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM funeral.${t}`).join(' UNION ALL ')
    );
    await client.query('COMMIT');
    await client.query(`ANALYZE ${TABLES.map((t) => `funeral.${t}`).join(', ')}`);
    progress('funeral: refreshing the funeral views');
    await client.query(`CALL mv_ops.refresh(pack => 'funeral', requested_by => 'db:seed')`);
    return { rows: Object.fromEntries(counts.rows.map((r) => [`funeral.${r.t}`, r.n])) };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export const funeralSeeder: PackSeeder = { pack: 'funeral', seed: seedFuneral };
