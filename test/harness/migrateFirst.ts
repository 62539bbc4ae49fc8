// node --import tsx test/harness/migrateFirst.ts URL COUNT: applies only the first COUNT migrations, so a test can
// build a database as it was before a migration and upgrade it (node-pg-migrate is ESM, so Jest runs this apart).
import { runner } from 'node-pg-migrate';
import { MIGRATIONS_DIR, MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from '../../server/src/db/migrate';

const [databaseUrl, count] = process.argv.slice(2);
runner({
  databaseUrl,
  dir: MIGRATIONS_DIR,
  direction: 'up',
  migrationsSchema: MIGRATIONS_SCHEMA,
  migrationsTable: MIGRATIONS_TABLE,
  createMigrationsSchema: true,
  checkOrder: true,
  count: Number(count),
  log: () => undefined,
}).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
);
