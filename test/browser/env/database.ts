// The specs' database: a throwaway PostgreSQL cluster (the Jest harness's), migrated with the real
// CLI, the sales pack seeded as `npm run db:seed` seeds it, the browser fixtures registered, and the
// service's login holding only mv_ops_operator, as the README tells operators to set it up.
import { Client } from 'pg';
import { salesSeeder } from '../../../server/src/seed/sales';
import { startCluster, stopOnExit, type Cluster } from '../../harness/cluster';
import { runMigrationCli } from '../../harness/runMigrations';
import { withDatabase } from '../../harness/testDatabase';
import { operatorUrl } from '../../server/service';
import { FIXTURES_SQL } from './fixtures';

const DATABASE = 'matview_ops';

export interface SpecDatabase {
  cluster: Cluster;
  /** Superuser URL: for the specs' own checks of what PostgreSQL holds. */
  superuserUrl: string;
  /** The service's login (mv_ops_operator only). */
  serviceUrl: string;
}

export async function startSpecDatabase(options: { salesScale: number }): Promise<SpecDatabase> {
  // pg_cron runs in another database, so nothing schedules refreshes behind the specs' backs; the
  // service's own (hourly) tick is the scheduler readiness reports, and it never fires during a run.
  const cluster = await startCluster({ cronDatabase: 'postgres' });
  // Deleted however the run ends: normal exit, Ctrl-C, or a CI timeout's SIGTERM mid-setup.
  stopOnExit(cluster);
  try {
    const superuserUrl = cluster.url(DATABASE);
    const admin = new Client({ connectionString: withDatabase(superuserUrl, 'postgres') });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${DATABASE}"`).finally(() => admin.end());
    const migrated = await runMigrationCli(superuserUrl);
    if (migrated.code !== 0) {
      throw new Error(`db:migrate failed:\n${migrated.stdout}\n${migrated.stderr}`);
    }
    const c = new Client({ connectionString: superuserUrl });
    await c.connect();
    try {
      await salesSeeder.seed(c, { scale: options.salesScale, seed: 42, progress: () => undefined });
      await c.query(FIXTURES_SQL);
    } finally {
      await c.end();
    }
    return { cluster, superuserUrl, serviceUrl: await operatorUrl(superuserUrl) };
  } catch (err) {
    cluster.stop();
    throw err;
  }
}
