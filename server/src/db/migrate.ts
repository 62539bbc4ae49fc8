// Applies sql/migrations/*.sql in order with node-pg-migrate: each file in its own transaction,
// recorded in mv_ops.schema_migrations so a second run changes nothing.
import { resolve } from 'node:path';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = resolve(__dirname, '../../../sql/migrations');
export const MIGRATIONS_SCHEMA = 'mv_ops';
export const MIGRATIONS_TABLE = 'schema_migrations';

export interface MigrateResult {
  applied: string[];
}

/** Applies the pending migrations, or only the first `count` of all of them (tests building an older schema). */
export async function migrate(
  databaseUrl: string,
  log: (line: string) => void,
  count?: number
): Promise<MigrateResult> {
  const ran = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsSchema: MIGRATIONS_SCHEMA,
    migrationsTable: MIGRATIONS_TABLE,
    createMigrationsSchema: true,
    checkOrder: true,
    singleTransaction: false,
    count,
    // The migrations' own NOTICEs (e.g. "pg_cron not present") are what operators need to see.
    logger: { debug: () => undefined, info: log, warn: log, error: log },
  });
  return { applied: ran.map((m) => m.name) };
}
