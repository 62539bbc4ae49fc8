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

/**
 * Compares every column of `view`, in the view's own order, with `reference`, whose columns must carry the
 * view's names in that order (so a column added to the view fails here until its reference is written).
 * `as` compares a column through an expression of it.
 */
export async function expectViewEqualsReference(
  c: Client,
  view: string,
  reference: string,
  as: Record<string, string> = {}
): Promise<number> {
  const columns = (
    await c.query<{ attname: string }>(
      `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [view]
    )
  ).rows.map((r) => r.attname);
  const named = await c.query(`SELECT * FROM (${reference}) r LIMIT 0`);
  expect(named.fields.map((f) => f.name)).toEqual(columns);
  return expectSameRows(c, `SELECT ${columns.map((col) => as[col] ?? col).join(', ')} FROM ${view}`, reference);
}
