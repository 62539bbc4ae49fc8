// Demo data for the sales pack: 478 days from 2024-03-16 (or, with endToday, ending today), about 14.5K line items
// per unit of scale.
import type { Client } from 'pg';
import {
  CREATE_CATALOGUE,
  CREATE_RND,
  DAYS,
  FIRST_DAY,
  FIRST_DAY_ENDING_TODAY,
  INSERT_DAYS,
  LINE_COLUMNS,
  RECEIPT_LINES,
} from './sales.sql';
import type { PackSeeder, SeedOptions, SeedResult } from './types';

const CHUNKS = 20;

async function seedSales(client: Client, { scale, seed, endToday, progress }: SeedOptions): Promise<SeedResult> {
  await client.query('BEGIN');
  try {
    // Today's receipts cover the whole day, hours not reached yet included: the same rows for the same day.
    const firstDay = endToday ? (await client.query(FIRST_DAY_ENDING_TODAY)).rows[0].first_day : FIRST_DAY;
    // The generator's row estimates are huge, so PostgreSQL would spend seconds JIT-compiling each chunk.
    await client.query('SET LOCAL jit = off');
    await client.query(CREATE_RND);
    await client.query(CREATE_CATALOGUE);
    await client.query('TRUNCATE pos.lengolf_sales RESTART IDENTITY');
    let rows = 0;
    const step = Math.ceil(DAYS / CHUNKS);
    for (let from = 0; from < DAYS; from += step) {
      const to = Math.min(DAYS, from + step);
      const result = await client.query(INSERT_DAYS, [scale, seed, from, to, firstDay]);
      rows += result.rowCount ?? 0;
      progress(
        `sales: ${Math.round((to / DAYS) * 100)}% (${to} of ${DAYS} days from ${firstDay}, ${rows.toLocaleString('en-US')} line items)`
      );
    }
    await client.query('COMMIT');
    await client.query('ANALYZE pos.lengolf_sales');
    progress('sales: refreshing the sales views');
    await client.query(`CALL mv_ops.refresh(pack => 'sales', requested_by => 'db:seed')`);
    return { rows: { 'pos.lengolf_sales': rows } };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export const salesSeeder: PackSeeder = { pack: 'sales', seed: seedSales };

/** A receipt as the POS writes it: its line items, each a row of LINE_COLUMNS values as text (NULL as null). */
export interface Receipt {
  receiptNumber: string;
  lines: Array<Array<string | null>>;
}

export interface DrawReceiptsOptions {
  scale: number;
  seed: number;
  /** The business date (YYYY-MM-DD) the receipts are rung up on. */
  day: string;
  /** The day's index in the data's series (from its first day): with the receipt numbers, what the draws depend on. */
  dayIndex: number;
  /** The first receipt's number that day: above the seeded ones (at most ~23K at scale 1000), so none is reused. */
  firstReceipt: number;
  count: number;
}

/**
 * Receipts the seed would draw for a day, not inserted: the lines the POS sends during that day, each rung up
 * within the last 15 minutes. Read as text, so they go back into pos.lengolf_sales exactly as drawn.
 */
export async function drawReceipts(client: Client, o: DrawReceiptsOptions): Promise<Receipt[]> {
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL jit = off');
    await client.query(CREATE_RND);
    await client.query(CREATE_CATALOGUE);
    const { rows } = await client.query<Array<string | null>>({
      text: RECEIPT_LINES,
      values: [
        o.scale,
        o.seed,
        o.day,
        o.dayIndex,
        o.firstReceipt,
        o.count,
        (await client.query(`SELECT value FROM pos.setting WHERE name = 'time_zone'`)).rows[0].value,
      ],
      rowMode: 'array',
      types: { getTypeParser: () => (value: string) => value },
    });
    await client.query('COMMIT');
    const receipts = new Map<string, Receipt>();
    const at = LINE_COLUMNS.indexOf('receipt_number');
    for (const row of rows) {
      const number = String(row[at]);
      const receipt = receipts.get(number) ?? { receiptNumber: number, lines: [] };
      receipt.lines.push(row);
      receipts.set(number, receipt);
    }
    return [...receipts.values()];
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The one INSERT the POS sends for a receipt: every line of it in one statement (one transaction outside a block). */
export function receiptInsert(receipt: Receipt): { text: string; values: Array<string | null> } {
  const width = LINE_COLUMNS.length;
  const tuples = receipt.lines.map(
    (_, li) => `(${LINE_COLUMNS.map((__, ci) => `$${li * width + ci + 1}`).join(', ')})`
  );
  return {
    text: `INSERT INTO pos.lengolf_sales (${LINE_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`,
    values: receipt.lines.flat(),
  };
}
