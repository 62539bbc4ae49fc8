// How the write path's commits reach the disk while it is measured. The throwaway cluster runs with fsync off
// (nothing in it needs to survive), which makes every commit far cheaper than a POS server's and so makes the
// triggers' share look larger; the durable mode measures what a production server pays.
import type { Client } from 'pg';

export type CommitMode = 'as configured' | 'durable';

export interface CommitSettings {
  fsync: string;
  synchronousCommit: string;
  fullPageWrites: string;
}

/** The label of the settings in a report: "fsync off, synchronous_commit off". */
export const describeCommits = (s: CommitSettings): string =>
  `fsync ${s.fsync}, synchronous_commit ${s.synchronousCommit}, full_page_writes ${s.fullPageWrites}`;

async function readSettings(c: Client): Promise<CommitSettings> {
  const { rows } = await c.query<CommitSettings>(
    `SELECT current_setting('fsync') AS "fsync", current_setting('synchronous_commit') AS "synchronousCommit",
            current_setting('full_page_writes') AS "fullPageWrites"`
  );
  return rows[0];
}

async function reload(c: Client, expectFsync: string): Promise<void> {
  await c.query(`SELECT pg_reload_conf()`);
  // The reload reaches this backend between statements; wait until it has.
  for (let i = 0; i < 50; i++) {
    if ((await readSettings(c)).fsync === expectFsync) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not take fsync = ${expectFsync} after pg_reload_conf()`);
}

/**
 * What puts fsync and full_page_writes back: ALTER SYSTEM SET to the old value where postgresql.auto.conf set
 * it (the test clusters keep their whole configuration there), else RESET (postgresql.conf's value returns).
 */
async function restoreStatements(c: Client): Promise<string[]> {
  const { rows } = await c.query<{ name: string; setting: string; auto: boolean }>(
    `SELECT name, setting, COALESCE(sourcefile LIKE '%postgresql.auto.conf', false) AS auto
     FROM pg_settings WHERE name IN ('fsync', 'full_page_writes')`
  );
  return rows.map((r) =>
    r.auto ? `ALTER SYSTEM SET ${r.name} = '${r.setting === 'on' ? 'on' : 'off'}'` : `ALTER SYSTEM RESET ${r.name}`
  );
}

/**
 * Runs `measure` with the server's commit settings as they are, or durable: fsync, full_page_writes and this
 * session's synchronous_commit on, put back afterwards. Durable on a server configured otherwise needs a
 * superuser (ALTER SYSTEM); returns null (and says why) when it cannot be had.
 */
export async function withCommits<T>(
  c: Client,
  mode: CommitMode,
  log: (line: string) => void,
  measure: (settings: CommitSettings) => Promise<T>
): Promise<T | null> {
  const configured = await readSettings(c);
  if (mode === 'as configured') {
    return measure(configured);
  }
  const alter = configured.fsync !== 'on' || configured.fullPageWrites !== 'on';
  let restore: string[] = [];
  if (alter) {
    const { rows } = await c.query(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`);
    if (!rows[0]?.rolsuper) {
      log('write path with durable commits skipped: turning fsync on needs a superuser (ALTER SYSTEM)');
      return null;
    }
    restore = await restoreStatements(c);
  }
  try {
    // Inside the try: a reload that times out still puts the settings back.
    if (alter) {
      await c.query(`ALTER SYSTEM SET fsync = on`);
      await c.query(`ALTER SYSTEM SET full_page_writes = on`);
      await reload(c, 'on');
    }
    await c.query(`SET synchronous_commit = on`);
    return await measure(await readSettings(c));
  } finally {
    await c.query(`RESET synchronous_commit`);
    if (alter) {
      for (const statement of restore) {
        await c.query(statement);
      }
      await reload(c, configured.fsync);
    }
  }
}
