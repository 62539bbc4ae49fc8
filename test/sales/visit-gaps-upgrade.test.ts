// Upgrading a database with sales in it across 0119: the visits it had get their ids and previous visits, customer
// analytics its not-seen counts, the visits stay in date order, and every aggregate after the next scheduled refresh
// equals a full recompute.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { salesSeeder } from '../../server/src/seed/sales';
import { REPO_ROOT, runMigrationCli } from '../harness/runMigrations';
import { requireUrl, ENV, withDatabase } from '../harness/testDatabase';
import { aggregateRows } from './support/aggregates';

jest.setTimeout(300_000);

const NAME = `t_visit_gaps_upgrade_${process.pid}`;
const url = withDatabase(requireUrl(ENV.template), NAME);
const admin = new Client({ connectionString: withDatabase(requireUrl(ENV.template), 'postgres') });
let c: Client;

/** The first count migrations only (the rest by the real CLI, as an operator upgrades). */
const migrateFirst = (count: number) =>
  promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', resolve(REPO_ROOT, 'test/harness/migrateFirst.ts'), url, String(count)],
    {
      cwd: REPO_ROOT,
      timeout: 180_000,
    }
  );

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE DATABASE "${NAME}"`);
  const files = readdirSync(resolve(REPO_ROOT, 'sql/migrations')).filter((f) => f.endsWith('.sql'));
  const before = files.sort().findIndex((f) => f.startsWith('0119_'));
  await migrateFirst(before);
  c = new Client({ connectionString: url });
  await c.connect();
  await salesSeeder.seed(c, { scale: 0.05, seed: 18, progress: () => undefined });
  const upgrade = await runMigrationCli(url);
  expect(upgrade).toMatchObject({ code: 0 });
  expect(upgrade.stdout).toContain(`Applied ${files.length - before} migration(s).`);
});
afterAll(async () => {
  await c?.end();
  await admin.query(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
  await admin.end();
});

describe('0119 on a database with sales', () => {
  test('every visit gets its customer id from pos.customer and its previous visit, in date order on disk', async () => {
    const { rows } = await c.query(`
      SELECT count(*)::int AS visits,
             count(*) FILTER (WHERE v.customer_id IS DISTINCT FROM c.customer_id)::int AS wrong_ids,
             count(*) FILTER (WHERE v.previous_visit IS DISTINCT FROM
               (SELECT max(w.date) FROM pos.mv_customer_daily_visits w
                WHERE w.customer_key = v.customer_key AND w.date < v.date))::int AS wrong_previous,
             count(*) FILTER (WHERE v.is_first_visit IS DISTINCT FROM (v.previous_visit IS NULL))::int AS wrong_first
      FROM pos.mv_customer_daily_visits v LEFT JOIN pos.customer c ON c.customer_key = v.customer_key`);
    expect(rows[0].visits).toBeGreaterThan(100);
    expect(rows[0]).toMatchObject({ wrong_ids: 0, wrong_previous: 0, wrong_first: 0 });
    const order = await c.query(`SELECT bool_and(d >= prev) AS ordered
      FROM (SELECT date AS d, lag(date) OVER (ORDER BY ctid) AS prev FROM pos.mv_customer_daily_visits) x`);
    expect(order.rows[0].ordered).toBe(true);
  });

  test('every day of customer analytics gets its not-seen counts, and the next scheduled refresh leaves what a full one would', async () => {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM pos.mv_customer_analytics a
      LEFT JOIN pos.customers_not_seen_within(ARRAY(SELECT date FROM pos.mv_customer_analytics)) ns USING (date)
      WHERE a.not_seen_within IS NULL OR a.not_seen_within IS DISTINCT FROM ns.counts`);
    expect(rows[0].n).toBe(0);
    await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')`);
    const scheduled = await aggregateRows(c);
    await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'manual')`);
    expect(await aggregateRows(c)).toEqual(scheduled);
  });
});
