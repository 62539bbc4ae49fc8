// node --import tsx test/harness/migrateFirst.ts URL COUNT: applies only the first COUNT migrations, so a test can
// build a database as it was before a migration and upgrade it (node-pg-migrate is ESM, so Jest runs this apart).
import { migrate } from '../../server/src/db/migrate';

const [databaseUrl, count] = process.argv.slice(2);
migrate(databaseUrl, () => undefined, Number(count)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
);
