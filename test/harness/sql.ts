// Small helpers SQL tests share: a database of their own, sessions, acting as a role.
import { Client } from 'pg';
import { createTestDatabase } from './testDatabase';

export interface TestDb {
  url: string;
  /** A new session; closed by close(). */
  session(): Promise<Client>;
  close(): Promise<void>;
}

export async function openTestDatabase(label: string): Promise<TestDb> {
  const db = await createTestDatabase(label);
  const sessions: Client[] = [];
  return {
    url: db.url,
    session: async () => {
      const c = new Client({ connectionString: db.url });
      // A killed backend makes the client emit 'error'; tests that kill one expect it.
      c.on('error', () => undefined);
      await c.connect();
      sessions.push(c);
      return c;
    },
    close: async () => {
      await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
      await db.drop();
    },
  };
}

/** Runs fn as `role` inside a transaction that is rolled back, as that role would see the database. */
export async function asRole<T>(client: Client, role: string, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL ROLE ${role}`);
    return await fn();
  } finally {
    await client.query('ROLLBACK');
  }
}

/** The error a query fails with (the test fails if it succeeds). */
export async function errorOf(promise: Promise<unknown>): Promise<{ message: string; code?: string; hint?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { message: string; code?: string; hint?: string };
  }
  throw new Error('expected the query to fail, but it succeeded');
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  ms = 15_000
): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v) {
      return v;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
