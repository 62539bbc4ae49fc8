// npm run bench -- --pack sales --scale 1,10,100 [--database-url URL] [--out bench/results]
// Each scale goes into a database of its own, dropped afterwards. Without a database URL a throwaway
// PostgreSQL cluster is started (as the tests do) and removed at the end. --help lists the options.
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster, stopOnExit, type Cluster } from '../../../test/harness/cluster';
import { onServer, withDatabase } from '../db/serverAdmin';
import { benchPacks } from './packs';
import { writeReport, type BenchRun } from './report';
import { runScale } from './runScale';

/** The first value of the statement's first row, as text ('' for none). */
async function admin(url: string, sql: string): Promise<string> {
  const { rows } = await onServer(url, sql);
  return rows[0] ? String(Object.values(rows[0])[0]) : '';
}

const USAGE = `Usage: npm run bench -- [--pack sales|funeral] [--scale 1,10,100] [--database-url URL] [--out DIR]

  --pack NAME          the pack to benchmark (default sales)
  --scale LIST         comma-separated data volumes, each > 0 and <= 1000 (default 1); 1 is the seed
                       document's volume (sales: ~14.5K lines over 478 days, ending today)
  --database-url URL   a PostgreSQL 15 server to use (or BENCH_DATABASE_URL); the user must be allowed to
                       CREATE DATABASE. Without it a throwaway cluster is started and removed at the end
  --out DIR            where <pack>.json and <pack>.md are written (default bench/results)
  --help               this text

Each scale is migrated, seeded and measured in a database of its own, dropped afterwards. Sales also measures
the 15-minute batch's scheduled refresh against a full refresh, the write path with and without the mv_ops
triggers, and the dashboard call in new sessions.`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        pack: { type: 'string', default: 'sales' },
        scale: { type: 'string', default: '1' },
        'database-url': { type: 'string' },
        out: { type: 'string', default: 'bench/results' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const pack = values.pack!;
  const scales = values.scale!.split(',').map(Number);
  if (!benchPacks[pack]) {
    console.error(`--pack must be one of: ${Object.keys(benchPacks).join(', ')}`);
    return 2;
  }
  if (scales.some((s) => !Number.isFinite(s) || s <= 0 || s > 1000)) {
    console.error('--scale must be a comma-separated list of numbers greater than 0 and at most 1000');
    return 2;
  }
  let cluster: Cluster | undefined;
  let serverUrl = values['database-url'] ?? process.env.BENCH_DATABASE_URL;
  if (!serverUrl) {
    console.log('Starting a throwaway PostgreSQL cluster (pass --database-url to use a server of your own)');
    cluster = await startCluster({ cronDatabase: 'postgres' });
    stopOnExit(cluster);
    serverUrl = cluster.url('postgres');
  }
  try {
    const run: BenchRun = {
      pack,
      startedAt: new Date().toISOString(),
      postgres: await admin(serverUrl, 'SELECT version()'),
      machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
      scales: [],
    };
    for (const scale of scales) {
      const db = `bench_${pack}_${String(scale).replace('.', '_')}`;
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin(serverUrl, `CREATE DATABASE ${db}`);
      try {
        run.scales.push(
          await runScale(withDatabase(serverUrl, db), pack, scale, benchPacks[pack], (l) => console.log(l))
        );
      } finally {
        await admin(serverUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      }
    }
    const files = writeReport(resolve(values.out!), run);
    console.log(`Wrote ${files.json} and ${files.markdown}`);
    return 0;
  } catch (err) {
    console.error(`Benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    cluster?.stop();
  }
}

main().then((code) => process.exit(code));
