// Demo data: deterministic for a seed value, realistic (every status, refunds and failures, reviews, slots
// ahead), and the views built from it equal their per-entity references.
import type { Client } from 'pg';
import { funeralSeeder } from '../../server/src/seed/funeral';
import { differenceSql, REFERENCE } from '../fixtures/funeralReference';
import { openTestDatabase, type TestDb } from '../harness/sql';
import { runSeedCli } from '../fixtures/funeralSeedCli';

jest.setTimeout(120_000);

let db: TestDb;
let c: Client;

const fingerprint = async (): Promise<Record<string, string>> => {
  const { rows } = await c.query(`
    SELECT 'reservations' AS t, md5(string_agg(r::text, ',' ORDER BY id)) AS h FROM funeral.reservations r
    UNION ALL SELECT 'payments', md5(string_agg(p::text, ',' ORDER BY id)) FROM funeral.payments p
    UNION ALL SELECT 'organizations', md5(string_agg(o::text, ',' ORDER BY id)) FROM funeral.organizations o
    UNION ALL SELECT 'availabilities', md5(string_agg(a::text, ',' ORDER BY id)) FROM funeral.availabilities a`);
  return Object.fromEntries(rows.map((r) => [r.t, r.h]));
};
const seed = (value: number): Promise<unknown> =>
  funeralSeeder.seed(c, { scale: 0.05, seed: value, progress: () => undefined });

beforeAll(async () => {
  db = await openTestDatabase('funeral_seed');
  c = await db.session();
  // The references' estimates are large; JIT would compile for seconds what runs in milliseconds.
  await c.query('SET jit = off');
});
afterAll(() => db.close());

describe('the funeral seeder', () => {
  test('the same seed value gives the same rows; another value gives other rows', async () => {
    await seed(7);
    const first = await fingerprint();
    await seed(7);
    expect(await fingerprint()).toEqual(first);
    await seed(8);
    expect((await fingerprint()).reservations).not.toBe(first.reservations);
  });

  test('the data covers what the dashboards show: every status, refunds, failures, reviews, slots ahead', async () => {
    const q = async (sql: string): Promise<unknown[]> => (await c.query(sql)).rows.map((r) => Object.values(r)[0]);
    expect(await q(`SELECT DISTINCT status FROM funeral.reservations ORDER BY 1`)).toEqual([
      'cancelled',
      'completed',
      'confirmed',
      'no_show',
      'pending',
    ]);
    expect(await q(`SELECT DISTINCT status FROM funeral.payments ORDER BY 1`)).toEqual([
      'completed',
      'failed',
      'pending',
      'refunded',
    ]);
    expect(await q(`SELECT DISTINCT verification_status = 'verified' FROM funeral.organizations ORDER BY 1`)).toEqual([
      false,
      true,
    ]);
    expect(await q(`SELECT count(*) > 0 FROM funeral.reviews`)).toEqual([true]);
    expect(await q(`SELECT max(date) >= CURRENT_DATE + 14 FROM funeral.availabilities WHERE is_available`)).toEqual([
      true,
    ]);
    expect(await q(`SELECT min(created_at) < now() - interval '700 days' FROM funeral.reservations`)).toEqual([true]);
    // Line totals add up to the reservation's amount.
    expect(
      await q(`SELECT count(*) FROM funeral.reservations r
               WHERE total_amount <> (SELECT sum(total_price) FROM funeral.reservation_services s WHERE s.reservation_id = r.id)`)
    ).toEqual(['0']);
  });

  test.each(Object.keys(REFERENCE))('after seeding, %s equals its per-entity reference', async (view) => {
    expect((await c.query(differenceSql(view))).rows).toEqual([]);
  });

  test('npm run db:seed -- --pack funeral works against a migrated database', async () => {
    const result = await runSeedCli(db.url, ['--pack', 'funeral', '--scale', '0.05', '--seed', '3']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('funeral: 100% (1,000 of 1,000 reservations)');
    expect(result.stdout).toMatch(/funeral: seeded in [\d.]+ s: .*funeral\.reservations 1,000/);
  });
});
