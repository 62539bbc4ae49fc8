// npx tsx provisioning/src/alerting/bench.ts [--scale 100] [--database-url URL] [--out bench/results]
// What the drift alert rule costs the database: its query, exactly as generated, run under EXPLAIN ANALYZE as the
// role the data source uses, on the sales pack seeded at a scale (1.45M lines at 100). Without a database URL a
// throwaway cluster is started, migrated and seeded (about 7 minutes at scale 100); with one, that database must
// already be migrated and seeded. Writes <out>/drift-alert.json. A measurement, not a test: nothing here asserts time.
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { startCluster, stopOnExit, type Cluster } from '../../../test/harness/cluster';
import { measure } from '../../../server/src/bench/measure';
import { migrate } from '../../../server/src/db/migrate';
import { salesSeeder } from '../../../server/src/seed/sales';
import { alertSql } from './rules';

/** The drift rule runs once an hour; Grafana's default query timeout is far above this, on-call's patience is not. */
const BUDGET_MS = 1000;

async function prepare(scale: number, log: (l: string) => void): Promise<{ url: string; cluster: Cluster }> {
  const cluster = await startCluster({ cronDatabase: 'postgres' });
  stopOnExit(cluster);
  const admin = new Client({ connectionString: cluster.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE bench_drift');
  await admin.end();
  const url = cluster.url('bench_drift');
  await migrate(url, () => undefined);
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await salesSeeder.seed(c, { scale, seed: 42, progress: log });
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
  return { url, cluster };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: '100' },
      'database-url': { type: 'string' },
      out: { type: 'string', default: 'bench/results' },
    },
  });
  const scale = Number(values.scale);
  let cluster: Cluster | undefined;
  let url = values['database-url'];
  try {
    if (!url) {
      ({ url, cluster } = await prepare(scale, (l) => console.log(l)));
    }
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query(
        `SELECT count(*)::int AS n, max(date)::text AS last_day, version() AS v,
         FROM pos.lengolf_sales`
      );
      const [{ n, last_day: lastDay, v: postgres }] = rows;
      const role = 'matviewops_sales_reader';
      // As the data source's role: the plan and rights Grafana's query gets.
      await c.query(`SET ROLE ${role}`);
      const instances = (await c.query(alertSql.drift)).rowCount;
      const m = await measure(c, alertSql.drift, 5, 25, 20_000);
      const result = {
        query: 'drift alert rule (matviewops-sales-drift)',
        sql: alertSql.drift,
        role,
        scale,
        sourceRows: { 'pos.lengolf_sales': n },
        comparedDays: `7 days to ${lastDay}`,
        instances,
        measuredAt: new Date().toISOString(),
        postgres,
        machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
        runs: m.runs,
        medianMs: m.medianMs,
        p95Ms: m.p95Ms,
        sharedBuffers: m.sharedBuffers,
        budgetMs: BUDGET_MS,
        withinBudget: m.p95Ms < BUDGET_MS,
      };
      mkdirSync(path.resolve(values.out!), { recursive: true });
      const target = path.resolve(values.out!, 'drift-alert.json');
      writeFileSync(target, JSON.stringify(result, null, 2) + '\n');
      console.log(
        `drift alert at scale ${scale} (${n.toLocaleString('en-US')} lines): median ${m.medianMs.toFixed(1)} ms, p95 ${m.p95Ms.toFixed(1)} ms over ${m.runs} runs; wrote ${path.relative(process.cwd(), target)}`
      );
      return 0;
    } finally {
      await c.end();
    }
  } catch (err) {
    console.error(`Benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    cluster?.stop();
  }
}

main().then((code) => process.exit(code));
