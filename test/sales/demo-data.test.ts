// npm run db:seed -- --pack sales: deterministic, realistic, and clear about bad input.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from 'pg';
import { salesSeeder } from '../../server/src/seed/sales';
import { REPO_ROOT } from '../harness/runMigrations';
import { openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(180_000);

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('sales_seed');
  c = await db.session();
});
afterAll(() => db.close());

const fingerprint = async (): Promise<string> =>
  (
    await c.query(`SELECT md5(string_agg(concat_ws('|', date, receipt_number, customer_phone_number, product_name, sales_net,
                     is_voided, payment_method), ',' ORDER BY id)) AS f FROM pos.lengolf_sales`)
  ).rows[0].f;

const seedCli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', resolve(REPO_ROOT, 'server/src/seed/cli.ts'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: db.url }, timeout: 120_000 }
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('sales demo data', () => {
  test('the same seed value gives the same rows; another seed value gives other rows', async () => {
    await salesSeeder.seed(c, { scale: 0.3, seed: 11, progress: () => undefined });
    const first = await fingerprint();
    await salesSeeder.seed(c, { scale: 0.3, seed: 11, progress: () => undefined });
    expect(await fingerprint()).toBe(first);
    await salesSeeder.seed(c, { scale: 0.3, seed: 12, progress: () => undefined });
    expect(await fingerprint()).not.toBe(first);
  });

  test('scale 1 has the seed document volume and looks like the business (CLI run, with progress)', async () => {
    const run = await seedCli(['--pack', 'sales', '--scale', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('sales: 100% (478 of 478 days');
    const { rows } = await c.query(`
      SELECT count(*)::int AS lines, count(DISTINCT receipt_number)::int AS receipts,
             count(DISTINCT pos.customer_key(customer_phone_number))::int AS customers,
             min(date)::text AS first, max(date)::text AS last,
             avg(is_voided::int)::float8 AS voided,
             count(*) FILTER (WHERE customer_phone_number IN ('', '-'))::int AS placeholders,
             count(*) FILTER (WHERE customer_phone_number IS NULL)::int AS null_phones,
             count(DISTINCT payment_method) FILTER (WHERE payment_method LIKE '%QR%')::int AS qr_methods,
             count(*) FILTER (WHERE is_sim_usage = 1)::int AS bay_hours,
             count(*) FILTER (WHERE product_category = 'Coaching')::int AS coaching
      FROM pos.lengolf_sales`);
    const r = rows[0];
    expect(r.first).toBe('2024-03-16');
    expect(r.last).toBe('2025-07-06'); // 478 days
    expect(r.lines).toBeGreaterThan(13_000);
    expect(r.lines).toBeLessThan(16_000);
    expect(r.receipts).toBeGreaterThan(5_000);
    expect(r.receipts).toBeLessThan(6_500);
    expect(r.customers).toBeGreaterThan(1_800);
    expect(r.customers).toBeLessThan(2_600);
    expect(r.voided).toBeGreaterThan(0.01);
    expect(r.voided).toBeLessThan(0.02);
    expect(r.placeholders).toBeGreaterThan(0);
    expect(r.null_phones).toBeGreaterThan(0);
    expect(r.qr_methods).toBe(2);
    expect(r.bay_hours).toBeGreaterThan(3_000);
    expect(r.coaching).toBeGreaterThan(0);
    const returning =
      await c.query(`SELECT count(*)::int AS n FROM (SELECT customer_key FROM pos.mv_customer_daily_visits
                                     GROUP BY 1 HAVING count(*) > 1) x`);
    expect(returning.rows[0].n).toBeGreaterThan(300);
  });

  test.each([
    [['--pack', 'nope'], '--pack must be one of: sales'],
    [['--pack', 'sales', '--scale', '0'], '--scale must be a number greater than 0 and at most 1000'],
    [['--pack', 'sales', '--scale', 'lots'], '--scale must be a number greater than 0 and at most 1000'],
    [['--pack', 'sales', '--seed', '1.5'], '--seed must be an integer'],
    [['--pack', 'sales', '--scael', '2'], "Unknown option '--scael'"],
  ])('refuses %j with a one-line message and leaves the data alone', async (args, message) => {
    const before = await fingerprint();
    const run = await seedCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().startsWith(message)).toBe(true);
    expect(await fingerprint()).toBe(before);
    // No stack trace: the message, and for a malformed call the usage.
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('--help prints the usage and exits 0 without touching the data', async () => {
    const before = await fingerprint();
    const run = await seedCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run db:seed -- --pack sales\|funeral\|all/);
    expect(run.stdout).toContain('--end-today');
    expect(await fingerprint()).toBe(before);
  });
});
