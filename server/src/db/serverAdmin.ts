// Reaching another database on the same PostgreSQL server: the CLIs that create a scratch database (bench,
// db:schema) and the test harness share these.
import { Client, type QueryResult } from 'pg';

/** `url` with its database replaced by `database` (credentials, host and options kept). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs one statement in the server's `postgres` database (CREATE/DROP DATABASE cannot run inside another). */
export async function onServer(serverUrl: string, sql: string): Promise<QueryResult> {
  const c = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}
