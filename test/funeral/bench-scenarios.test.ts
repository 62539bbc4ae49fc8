// Each benchmark scenario's two paths (stored views vs live from the source tables) give the same answer,
// so the benchmark compares speed, not different questions.
import type { Client } from 'pg';
import { funeralScenarios } from '../../server/src/bench/funeral';
import { funeralSeeder } from '../../server/src/seed/funeral';
import { openTestDatabase, type TestDb } from '../harness/sql';

// Scale 1 (as benchmarked), so that the searched city has organisations.
jest.setTimeout(180_000);

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('funeral_bench');
  c = await db.session();
  await c.query('SET jit = off');
  await funeralSeeder.seed(c, { scale: 1, seed: 42, progress: () => undefined });
});
afterAll(() => db.close());

const values = async (sql: string): Promise<string> =>
  JSON.stringify((await c.query({ text: sql, rowMode: 'array' })).rows);

test.each(funeralScenarios.map((s) => [s.name, s] as const))('%s: views and live agree', async (_name, s) => {
  const mv = await values(s.mvSql);
  expect(mv).not.toBe('[]');
  expect(await values(s.liveSql)).toBe(mv);
});
