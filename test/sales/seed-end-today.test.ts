// npm run db:seed -- --end-today: the sales data ends on the venue's today (so a dashboard's "last 7 days" has data),
// whatever the session's time zone; without it the seed's fixed 2024-03-16 to 2025-07-06 span stays.
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
  db = await openTestDatabase('sales_end_today');
  c = await db.session();
});
afterAll(() => db.close());

/** Today's date in a time zone, computed in Node (not by the SQL under test). */
const dateIn = (timeZone: string, at = new Date()): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
const minusDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);

const span = async (): Promise<{ first: string; last: string; days: number }> =>
  (
    await c.query(
      `SELECT min(date)::text AS first, max(date)::text AS last, count(DISTINCT date)::int AS days FROM pos.lengolf_sales`
    )
  ).rows[0];
const fingerprint = async (): Promise<string> =>
  (
    await c.query(`SELECT md5(string_agg(concat_ws('|', date, receipt_number, sales_timestamp, product_name, sales_net),
                     ',' ORDER BY id)) AS f FROM pos.lengolf_sales`)
  ).rows[0].f;
const seed = (endToday?: boolean, seedValue = 7) =>
  salesSeeder.seed(c, { scale: 0.1, seed: seedValue, endToday, progress: () => undefined });

describe('sales demo data ending today', () => {
  test('the 478 days end on the venue’s date (Asia/Bangkok), even when the session runs in another time zone', async () => {
    await c.query(`SET TIME ZONE 'America/Los_Angeles'`);
    const before = dateIn('Asia/Bangkok');
    await seed(true);
    const after = dateIn('Asia/Bangkok');
    await c.query('RESET TIME ZONE');
    const s = await span();
    // A run across the venue's midnight may end on either day.
    expect([before, after]).toContain(s.last);
    expect(s.first).toBe(minusDays(s.last, 477));
    expect(s.days).toBe(478);
  });

  test('the sales views are refreshed through today', async () => {
    const { rows } = await c.query(`SELECT max(date)::text AS last FROM pos.mv_daily_sales_summary`);
    expect(rows[0].last).toBe((await span()).last);
  });

  test('it follows the venue’s time zone in pos.setting', async () => {
    // UTC+14: the venue's date is ahead of Bangkok's for ten hours of every day, and never behind it.
    await c.query(`UPDATE pos.setting SET value = 'Pacific/Kiritimati' WHERE name = 'time_zone'`);
    try {
      const before = dateIn('Pacific/Kiritimati');
      await seed(true);
      expect([before, dateIn('Pacific/Kiritimati')]).toContain((await span()).last);
    } finally {
      await c.query(`UPDATE pos.setting SET value = 'Asia/Bangkok' WHERE name = 'time_zone'`);
    }
  });

  test('deterministic on a given day: the same seed value gives the same rows', async () => {
    await seed(true);
    const first = await fingerprint();
    await seed(true);
    expect(await fingerprint()).toBe(first);
  });

  test('without it the fixed span stays the default', async () => {
    await seed(undefined);
    expect(await span()).toEqual({ first: '2024-03-16', last: '2025-07-06', days: 478 });
    await seed(false);
    expect((await span()).last).toBe('2025-07-06');
  });

  test('npm run db:seed -- --end-today says which day the data starts on', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve(REPO_ROOT, 'server/src/seed/cli.ts'),
        '--pack',
        'sales',
        '--scale',
        '0.1',
        '--end-today',
      ],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: db.url }, timeout: 120_000 }
    );
    expect(stderr).toBe('');
    const s = await span();
    expect(stdout).toContain(`sales: 100% (478 of 478 days from ${s.first},`);
    expect([dateIn('Asia/Bangkok'), minusDays(dateIn('Asia/Bangkok'), 1)]).toContain(s.last);
  });
});
