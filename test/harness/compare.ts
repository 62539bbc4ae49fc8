// Compares two queries' result sets as a person would read them: the same rows, column by column
// in order (names may differ), regardless of row order.
import type { Client } from 'pg';

const normalise = (rows: unknown[][]): string[] =>
  rows.map((r) => JSON.stringify(r.map((v) => (v instanceof Date ? v.toISOString() : v)))).sort();

export async function expectSameRows(c: Client, actualSql: string, expectedSql: string): Promise<number> {
  const [actual, expected] = await Promise.all([
    c.query<unknown[]>({ text: actualSql, rowMode: 'array' }),
    c.query<unknown[]>({ text: expectedSql, rowMode: 'array' }),
  ]);
  expect(normalise(actual.rows)).toEqual(normalise(expected.rows));
  return actual.rowCount ?? 0;
}
