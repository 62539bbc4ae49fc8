// Demo data for the sales pack: 478 days from 2024-03-16 (or, with endToday, ending today), about 14.5K line items
// per unit of scale.
import type { Client } from 'pg';
import { CREATE_CATALOGUE, CREATE_RND, DAYS, FIRST_DAY, FIRST_DAY_ENDING_TODAY, INSERT_DAYS } from './sales.sql';
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
