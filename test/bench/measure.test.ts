// The benchmark's measurement counts what a function reads, as the seed's EXPLAIN (ANALYZE, BUFFERS) did.
import type { Client } from 'pg';
import { measure } from '../../server/src/bench/measure';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { toMarkdown, type BenchRun } from '../../server/src/bench/report';
import { REPO_ROOT } from '../harness/runMigrations';
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

  const PRETTIER = resolve(REPO_ROOT, 'node_modules/prettier/bin/prettier.cjs');
  const m = { runs: 3, medianMs: 2, p95Ms: 3, sharedBuffers: 10 };
  const run: BenchRun = {
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
  };

  test('the Markdown report has one row per scale and scenario with the live/MV ratio', () => {
    const cells = (line: string) => line.split('|').map((c) => c.trim());
    const lines = toMarkdown(run).split('\n');
    expect(lines.map(cells)).toContainEqual([
      '',
      '1',
      '100',
      'dash',
      '2.00',
      '3.00',
      '10',
      '200.0',
      '3.0',
      '10',
      '100×',
      '',
    ]);
    expect(lines.map(cells)).toContainEqual(['', '1', '50', 'v (50 ms)', '']);
  });

  test('the Markdown report is laid out as Prettier wants, so npm run check passes on a fresh report', () => {
    const md = toMarkdown({ ...run, scales: [...run.scales, { ...run.scales[0], scale: 100, refreshMs: 123456 }] });
    // Prettier itself, as `npm run check` runs it; it exits non-zero when the text would be reformatted.
    const result = spawnSync(process.execPath, [PRETTIER, '--check', '--stdin-filepath', 'bench/results/x.md'], {
      cwd: REPO_ROOT,
      input: md,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
