// npm run bench -- --pack sales --scale 1,10,100 [--database-url URL] [--out bench/results]
// Each scale goes into a database of its own, dropped afterwards. Without a database URL a throwaway
// PostgreSQL cluster is started (as the tests do) and removed at the end.
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { startCluster, stopOnExit, type Cluster } from '../../../test/harness/cluster';
import { benchScenarios } from './packs';
import { writeReport, type BenchRun } from './report';
import { runScale } from './runScale';

const withDb = (url: string, db: string): string => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

async function admin(url: string, sql: string): Promise<string> {
  const c = new Client({ connectionString: withDb(url, 'postgres') });
  await c.connect();
  try {
    const { rows } = await c.query(sql);
    return rows[0] ? String(Object.values(rows[0])[0]) : '';
  } finally {
    await c.end();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      pack: { type: 'string', default: 'sales' },
      scale: { type: 'string', default: '1' },
      'database-url': { type: 'string' },
      out: { type: 'string', default: 'bench/results' },
    },
  });
  const pack = values.pack!;
  const scales = values.scale!.split(',').map(Number);
  if (!benchScenarios[pack]) {
    console.error(`--pack must be one of: ${Object.keys(benchScenarios).join(', ')}`);
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
          await runScale(withDb(serverUrl, db), pack, scale, benchScenarios[pack], (l) => console.log(l))
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
