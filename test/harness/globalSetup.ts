// Jest globalSetup: one throwaway PostgreSQL cluster for the whole run (or TEST_DATABASE_URL),
// migrated once; its URLs are handed to the workers through the environment.
import { Client } from 'pg';
import { startCluster, stopOnExit, type Cluster } from './cluster';
import { runMigrationCli } from './runMigrations';
import { ENV, withDatabase } from './testDatabase';

const MAIN_DB = 'matview_ops';
const TEMPLATE_DB = 'matview_ops_template';

declare global {
  var __MATVIEW_OPS_CLUSTER__: Cluster | undefined;
}

async function createDatabases(serverUrl: string, names: string[]): Promise<void> {
  const c = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await c.connect();
  try {
    for (const name of names) {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await c.end();
  }
}

async function migrateOrThrow(url: string): Promise<void> {
  const result = await runMigrationCli(url);
  if (result.code !== 0) {
    throw new Error(`Migrations failed on ${url}:\n${result.stdout}\n${result.stderr}`);
  }
}

export default async function globalSetup(): Promise<void> {
  const given = process.env[ENV.main];
  let cluster: Cluster | undefined;
  try {
    let mainUrl: string;
    let templateUrl: string;
    if (given) {
      // An existing server: migrate the given database; per-file databases need CREATEDB there.
      mainUrl = given;
      templateUrl = withDatabase(given, `${new URL(given).pathname.slice(1)}_template`);
      await createDatabases(given, [new URL(templateUrl).pathname.slice(1)]);
    } else {
      cluster = await startCluster({ cronDatabase: MAIN_DB });
      globalThis.__MATVIEW_OPS_CLUSTER__ = cluster;
      mainUrl = cluster.url(MAIN_DB);
      templateUrl = cluster.url(TEMPLATE_DB);
      await createDatabases(mainUrl, [MAIN_DB, TEMPLATE_DB]);
      // Stop the cluster even when the run is interrupted before globalTeardown.
      stopOnExit(cluster);
    }
    await migrateOrThrow(mainUrl);
    await migrateOrThrow(templateUrl);
    process.env[ENV.main] = mainUrl;
    process.env[ENV.template] = templateUrl;
  } catch (err) {
    cluster?.stop();
    throw err;
  }
}
