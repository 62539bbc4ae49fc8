// npm run db:migrate [-- --database-url URL]: checks the database, then applies pending migrations.
import { parseArgs } from 'node:util';
import { describeTarget } from '../db/connectionErrors';
import { migrate } from '../db/migrate';
import { preflight, PreflightError } from '../db/preflight';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'database-url': { type: 'string' } } });
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('No database given: set DATABASE_URL or pass --database-url postgresql://user@host:5432/db');
    return 2;
  }
  try {
    const report = await preflight(databaseUrl);
    console.log(`PostgreSQL ${report.serverVersion} at ${describeTarget(databaseUrl)}`);
    console.log(`Scheduler: ${report.schedulerReason}`);
    const { applied } = await migrate(databaseUrl, (line) => console.log(line));
    console.log(applied.length ? `Applied ${applied.length} migration(s).` : 'Database is up to date.');
    return 0;
  } catch (err) {
    if (err instanceof PreflightError) {
      console.error(err.message);
      return 1;
    }
    console.error(`Migration failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

main().then((code) => process.exit(code));
