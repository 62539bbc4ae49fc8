// The benchmark's measurement counts what a function reads, as the seed's EXPLAIN (ANALYZE, BUFFERS) did.
import type { Client } from 'pg';
import { measure } from '../../server/src/bench/measure';
import { toMarkdown } from '../../server/src/bench/report';
import { openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('bench');
  c = await db.session();
  await c.query(`CREATE TABLE big AS SELECT g AS id, repeat('x', 200) AS pad FROM generate_series(1, 20000) g;
                 CREATE FUNCTION count_big() RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN (SELECT count(*) FROM big); END $$;`);
});
afterAll(() => db.close());

describe('bench measure', () => {
  test('buffers read inside a called function are counted, at least one per page of the table it scans', async () => {
    const pages = Number(
      (await c.query(`SELECT pg_relation_size('big') / current_setting('block_size')::int AS pages`)).rows[0].pages
    );
    expect(pages).toBeGreaterThan(100);
    const m = await measure(c, 'SELECT count_big()', 3, 5, 10_000);
    expect(m.runs).toBeGreaterThanOrEqual(3);
    expect(m.sharedBuffers).toBeGreaterThanOrEqual(pages);
    expect(m.p95Ms).toBeGreaterThanOrEqual(m.medianMs);
  });

  test('the Markdown report has one row per scale and scenario with the live/MV ratio', () => {
    const m = { runs: 3, medianMs: 2, p95Ms: 3, sharedBuffers: 10 };
    const md = toMarkdown({
      pack: 'sales',
      startedAt: '2026-11-22T00:00:00Z',
      postgres: 'PostgreSQL 15',
      machine: '2 cores',
      scales: [
        {
          scale: 1,
          sourceRows: { t: 100 },
          seedSeconds: 1,
          refreshMs: 50,
          refreshByView: { v: 50 },
          scenarios: [{ name: 'dash', mv: m, live: { ...m, medianMs: 200 } }],
        },
      ],
    });
    expect(md).toContain('| 1 | 100 | dash | 2.00 | 3.00 | 10 | 200.0 | 3.0 | 10 | 100× |');
    expect(md).toContain('| 1 | 50 | v (50 ms) |');
  });
});
