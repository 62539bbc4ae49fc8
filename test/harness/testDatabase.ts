// Where SQL tests connect, and how each test file gets a database of its own.
// globalSetup migrates a template database once; a file clones it in well under a second, so tests
// never see each other's views, logs or registry rows.
import { Client } from 'pg';
import { withDatabase } from '../../server/src/db/serverAdmin';

// Re-exported: the harness's callers import it from here.
export { withDatabase };

/** Written by globalSetup into the environment the Jest workers inherit. */
export const ENV = {
  /** The migrated database pg_cron runs in (scheduler tests). */
  main: 'TEST_DATABASE_URL',
  /** Migrated, without pg_cron: the template per-file databases are cloned from. */
  template: 'MATVIEW_OPS_TEMPLATE_URL',
} as const;

export function requireUrl(name: string): string {
  const url = process.env[name];
  if (!url) {
    throw new Error(`${name} is not set: run the SQL tests through Jest (npm test), whose globalSetup provides it.`);
  }
  return url;
}

let counter = 0;

/** A new database cloned from the migrated template; dropped by the returned cleanup. */
export async function createTestDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const templateUrl = requireUrl(ENV.template);
  const template = new URL(templateUrl).pathname.slice(1);
  const name = `t_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${++counter}`.slice(0, 63);
  const admin = new Client({ connectionString: withDatabase(templateUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(templateUrl, name),
    drop: async () => {
      const c = new Client({ connectionString: withDatabase(templateUrl, 'postgres') });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
