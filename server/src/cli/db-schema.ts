// npm run db:schema [-- --out FILE] [-- --database-url URL]: migrates a fresh database with every migration and
// writes sql/schema.sql (server/src/db/schemaDump.ts), the current definition of every object. Without a URL
// a throwaway PostgreSQL cluster is started (as the tests do: pg_cron in that database) and removed at the end;
// with one, a database of its own is created on that server (CREATEDB needed) and dropped afterwards.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster, stopOnExit, type Cluster } from '../../../test/harness/cluster';
import { migrate } from '../db/migrate';
import { onServer, withDatabase } from '../db/serverAdmin';
import { dumpSchema, findPgDump, SCHEMA_FILE } from '../db/schemaDump';

const CLUSTER_DB = 'matview_ops';

const admin = async (serverUrl: string, sql: string): Promise<void> => {
  await onServer(serverUrl, sql);
};

const readOrEmpty = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, 'database-url': { type: 'string' } },
  });
  const out = resolve(values.out ?? SCHEMA_FILE);
  const started = Date.now();
  let cluster: Cluster | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  const log: string[] = [];
  try {
    const pgDump = findPgDump();
    let url: string;
    if (values['database-url']) {
      const serverUrl = values['database-url'];
      const db = `matview_ops_schema_${process.pid}`;
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin(serverUrl, `CREATE DATABASE ${db}`);
      dropDb = () => admin(serverUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      url = withDatabase(serverUrl, db);
    } else {
      cluster = await startCluster({ cronDatabase: CLUSTER_DB });
      stopOnExit(cluster);
      await admin(cluster.url('postgres'), `CREATE DATABASE ${CLUSTER_DB}`);
      url = cluster.url(CLUSTER_DB);
    }
    const { applied } = await migrate(url, (line) => log.push(line)).catch((err: unknown) => {
      // node-pg-migrate's log says which migration failed and why.
      console.error(log.join('\n'));
      throw err;
    });
    const schema = await dumpSchema(url, pgDump);
    const before = readOrEmpty(out);
    // Written beside the target and renamed over it: an interrupted run never leaves half a file.
    const tmp = `${out}.${process.pid}.tmp`;
    writeFileSync(tmp, schema);
    renameSync(tmp, out);
    const lines = schema.split('\n').length - 1;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `${relative(process.cwd(), out) || out}: ${before === schema ? 'unchanged' : 'written'} ` +
        `(${applied.length} migrations, ${lines} lines, ${seconds} s)`
    );
    return 0;
  } catch (err) {
    console.error(`db:schema failed: ${err instanceof Error ? err.message : String(err)}`);
    rmSync(`${out}.${process.pid}.tmp`, { force: true });
    return 1;
  } finally {
    await dropDb?.().catch(() => undefined);
    cluster?.stop();
  }
}

main().then((code) => process.exit(code));
