// npm run mv -- status | refresh <view|pack> [--wait] [--no-cascade]
// The operator's command line without Grafana. It uses the service's own modules: the same request
// decision (joins a running run, respects the run cap) and the same step runner.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { describeConnectionError, describeTarget } from '../db/connectionErrors';
import { listViews, runStatus, type RunStatus } from '../refresh/queries';
import { requestRefresh } from '../refresh/request';
import { driveRun } from '../refresh/runner';
import { progressPrinter } from './progress';
import { ago, duration, table } from './table';

const USAGE = `usage: npm run mv -- status
       npm run mv -- refresh <schema.view|view|pack> [--wait] [--no-cascade]
DATABASE_URL names the database (a login granted mv_ops_operator).`;

async function status(db: Client): Promise<number> {
  const views = await listViews(db);
  const rows = views.map((v) => [
    v.view,
    v.pack,
    v.state,
    v.refreshMode + (v.zeroLag ? ', today live' : ''),
    duration(v.lagSeconds),
    ago(v.lastSuccessAt),
    v.lastAttemptStatus ?? '-',
    (v.lastError ?? '').slice(0, 60),
  ]);
  console.log(table(['VIEW', 'PACK', 'STATE', 'MODE', 'LAG', 'LAST SUCCESS', 'LAST ATTEMPT', 'ERROR'], rows));
  const sched = await db.query<{ scheduler: string; job_name: string | null }>(
    'SELECT scheduler, job_name FROM mv_ops.scheduler_status()'
  );
  console.log(`\nscheduler: ${sched.rows[0]?.scheduler ?? 'unknown'}`);
  return views.some((v) => v.state === 'failing' || v.state === 'stale') ? 1 : 0;
}

async function follow(db: Client, runId: number, done: () => boolean, wait: boolean): Promise<RunStatus> {
  const printer = progressPrinter(process.stdout);
  for (;;) {
    const run = (await runStatus(db, runId))!;
    if (wait) {
      printer.update(run);
    }
    if (run.status !== 'running' || done()) {
      return run;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

// The service's cap, read the way its configuration reads it: unset or empty means the default.
function runCap(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') {
    return 4;
  }
  // Same bounds as the service's MAX_RUNNING_RUNS (config.ts).
  return /^(?:[1-9][0-9]?|100)$/.test(raw.trim()) ? Number(raw) : undefined;
}

async function refresh(
  url: string,
  target: string,
  wait: boolean,
  cascade: boolean,
  maxRunning: number
): Promise<number> {
  const runner = new Client({ connectionString: url, application_name: 'matview-ops cli (run)' });
  const watcher = new Client({ connectionString: url, application_name: 'matview-ops cli (status)' });
  await runner.connect();
  await watcher.connect();
  try {
    const packs = await watcher.query('SELECT 1 FROM mv_ops.freshness WHERE pack = $1 LIMIT 1', [target]);
    const isPack = (packs.rowCount ?? 0) > 0;
    const d = await requestRefresh(runner, {
      views: isPack ? undefined : [target],
      pack: isPack ? target : undefined,
      cascade,
      trigger: 'manual',
      requestedBy: `${userInfo().username} (cli)`,
      // An operator at a terminal is deliberate: no per-view minimum interval, but the same run cap.
      minIntervalSeconds: 0,
      maxRunning,
    });
    if (d.runId === null) {
      console.error(`Not started: ${d.detail} (retry in ${d.retryAfterSeconds}s).`);
      return 1;
    }
    console.log(
      `${d.outcome === 'started' ? 'Started' : 'Joined running'} run ${d.runId} (${isPack ? 'pack' : 'view'} ${target}).`
    );
    let finished = d.outcome !== 'started';
    // A run belongs to the session that claimed it: this process executes it, so it stays until the end.
    const driving = d.outcome === 'started' ? driveRun(runner, d.runId).finally(() => (finished = true)) : undefined;
    if (!driving && !wait) {
      return 0;
    }
    const [run] = await Promise.all([follow(watcher, d.runId, () => finished && !!driving, wait), driving]);
    const final = driving ? (await runStatus(watcher, d.runId))! : run;
    if (wait) {
      progressPrinter(process.stdout).update(final);
    }
    const c = final.counts;
    console.log(
      `run ${final.runId} ${final.status}: ${c.succeeded} succeeded, ${c.failed} failed, ${c.skipped} skipped`
    );
    return final.status === 'succeeded' ? 0 : 1;
  } finally {
    await Promise.all([runner.end(), watcher.end()]);
  }
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { wait: { type: 'boolean', default: false }, 'no-cascade': { type: 'boolean', default: false } },
  });
  const url = process.env.DATABASE_URL;
  const [command, target, ...rest] = positionals;
  if (!url || !command || rest.length || (command === 'refresh' ? !target : command !== 'status' || target)) {
    console.error(url ? USAGE : `DATABASE_URL is not set.\n${USAGE}`);
    return 2;
  }
  if (command === 'status') {
    const db = new Client({ connectionString: url, application_name: 'matview-ops cli (status)' });
    try {
      await db.connect();
    } catch (err) {
      console.error(describeConnectionError(err, describeTarget(url)));
      return 1;
    }
    try {
      return await status(db);
    } finally {
      await db.end();
    }
  }
  const maxRunning = runCap(process.env.MAX_RUNNING_RUNS);
  if (maxRunning === undefined) {
    console.error('MAX_RUNNING_RUNS must be a whole number from 1 to 100 (or unset for 4).');
    return 2;
  }
  return refresh(url, target, values.wait ?? false, !values['no-cascade'], maxRunning);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`mv: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
);
