// Property: after any batch of POS changes (new sales today, late rows, voids, corrections and deletions on old
// days, customers whose first purchase moves earlier, days with no sales appearing and disappearing), a scheduled
// (incremental) refresh leaves every sales aggregate exactly as a full recompute would, and the report functions
// equal pos.get_*_live, with zero-lag reads on and off. Batches are drawn from a seeded PRNG (same on every run).
import type { Client } from 'pg';
import { prng } from '../harness/prng';
import { openTestDatabase, type TestDb } from '../harness/sql';
import { aggregateRows, lastRunTypes, SALES_AGGREGATES, venueToday } from './support/aggregates';

jest.setTimeout(240_000);

const PHONES = Array.from({ length: 25 }, (_, i) => `08${String(10000000 + i * 7919).slice(0, 8)}`);
const PRODUCTS = [
  ['Bay hour', 'SIM', 1],
  ['Beer', 'Drinks', 0],
  ['Lesson', 'Coaching', 0],
  [null, null, 0],
] as const;

let db: TestDb;
let c: Client;
let today: string;
const random = prng(20261201);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
const int = (n: number) => Math.floor(random() * n);
let receipt = 0;

/** SQL for a date `back` days before the venue's today. */
const day = (back: number) => `('${today}'::date - ${back})`;

async function insertReceipt(back: number, phone: string | null): Promise<void> {
  const lines = 1 + int(3);
  const values: string[] = [];
  receipt += 1;
  for (let i = 0; i < lines; i++) {
    const [name, category, sim] = pick(PRODUCTS);
    const net = (10 + int(500)).toFixed(2);
    values.push(
      `(${day(back)}, ${day(back)} + time '12:00' + interval '${int(600)} minutes', 'P-${receipt}', ` +
        `${phone === null ? 'NULL' : `'${phone}'`}, ${name === null ? 'NULL' : `'${name}'`}, ` +
        `${category === null ? 'NULL' : `'${category}'`}, ${1 + int(2)}, ${net}, ${net} * 0.4, ${sim}, '${pick(['Cash', 'Card', 'QR Pay'])}')`
    );
  }
  await c.query(`INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number, customer_phone_number, product_name,
                   product_category, item_cnt, sales_net, gross_profit, is_sim_usage, payment_method)
                 VALUES ${values.join(', ')}`);
}

/** One random batch of what a POS and its back office do to the sales table. */
async function randomBatch(): Promise<string[]> {
  const done: string[] = [];
  const steps = 3 + int(4);
  for (let s = 0; s < steps; s++) {
    const kind = int(8);
    const oldLine = `(SELECT id FROM pos.lengolf_sales WHERE date < '${today}' ORDER BY id OFFSET ${int(200)} LIMIT 1)`;
    if (kind <= 1) {
      await insertReceipt(0, random() < 0.8 ? pick(PHONES) : null);
      done.push('sale today');
    } else if (kind === 2) {
      await c.query(`UPDATE pos.lengolf_sales SET is_voided = NOT is_voided WHERE id = ${oldLine}`);
      done.push('void or unvoid an old line');
    } else if (kind === 3) {
      await c.query(`UPDATE pos.lengolf_sales SET sales_net = sales_net + 7, customer_phone_number = '${pick(PHONES)}'
                     WHERE id = ${oldLine}`);
      done.push('correct an old line (amount and customer)');
    } else if (kind === 4) {
      await c.query(`DELETE FROM pos.lengolf_sales WHERE id = ${oldLine}`);
      done.push('delete an old line');
    } else if (kind === 5) {
      // Earlier than anything so far: this customer's first visit moves earlier.
      await insertReceipt(70 + int(30), pick(PHONES));
      done.push('late row before the first visit');
    } else if (kind === 6) {
      await c.query(`DELETE FROM pos.lengolf_sales WHERE date = (SELECT date FROM pos.lengolf_sales
                       WHERE date < '${today}' ORDER BY date OFFSET ${int(40)} LIMIT 1)`);
      done.push('a day disappears');
    } else {
      await insertReceipt(1 + int(60), pick(PHONES));
      done.push('a late row on an old day (maybe one that had no sales)');
    }
  }
  return done;
}

async function reportsEqualLive(): Promise<void> {
  const ranges = [
    [`${day(29)}`, `'${today}'::date`, `${day(59)}`, `${day(30)}`],
    [`${day(6)}`, `'${today}'::date`, `${day(13)}`, `${day(7)}`],
    [`${day(90)}`, `${day(31)}`, `${day(150)}`, `${day(91)}`],
  ];
  for (const [a, b, ca, cb] of ranges) {
    const { rows } = await c.query(
      `SELECT pos.get_dashboard_summary_enhanced_mv(${a}, ${b}, ${ca}, ${cb})::jsonb AS mv,
              pos.get_dashboard_summary_live(${a}, ${b}, ${ca}, ${cb})::jsonb AS live`
    );
    expect(rows[0].mv).toEqual(rows[0].live);
  }
  for (const grain of ['weekly', 'monthly']) {
    const { rows } = await c.query(
      `SELECT pos.get_${grain}_reports_mv(${day(120)}, '${today}'::date + 40)::jsonb AS mv,
              pos.get_${grain}_reports_live(${day(120)}, '${today}'::date + 40)::jsonb AS live`
    );
    expect(rows[0].mv).toEqual(rows[0].live);
  }
}

beforeAll(async () => {
  db = await openTestDatabase('sales_incremental');
  c = await db.session();
  today = await venueToday(c);
  for (let back = 60; back >= 0; back--) {
    if (back % 9 === 4) {
      continue;
    } // days with no sales
    for (let r = 0; r < 4; r++) {
      await insertReceipt(back, random() < 0.85 ? pick(PHONES) : null);
    }
  }
  await c.query(`CALL mv_ops.refresh(pack => 'sales')`);
});
afterAll(() => db.close());

describe('incremental refresh of the sales aggregates equals a full recompute (property, 12 random batches)', () => {
  test.each(Array.from({ length: 12 }, (_, i) => i + 1))(
    'batch %i: the scheduled refresh is incremental, its result is what a full refresh gives, reports equal live',
    async () => {
      const done = await randomBatch();
      await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')`);
      expect({ done, types: await lastRunTypes(c) }).toEqual({ done, types: ['incremental:succeeded'] });
      const incremental = await aggregateRows(c);
      await reportsEqualLive();
      await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'manual')`);
      expect(await lastRunTypes(c)).toEqual(['full:succeeded']);
      const full = await aggregateRows(c);
      for (const t of SALES_AGGREGATES) {
        expect({ t, rows: incremental[t] }).toEqual({ t, rows: full[t] });
      }
    }
  );
});

describe('zero-lag reads', () => {
  test("with today's sales not yet refreshed, the dashboard summary and the weekly and monthly reports equal live with zero-lag on, and lag with it off", async () => {
    await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')`);
    await insertReceipt(0, PHONES[3]);
    await insertReceipt(0, '0899999001'); // a customer no refresh has seen
    await insertReceipt(0, null);
    const summary = async () =>
      (
        await c.query(
          `SELECT pos.get_dashboard_summary_enhanced_mv(${day(29)}, '${today}'::date, ${day(59)}, ${day(30)})::jsonb AS mv,
                  pos.get_dashboard_summary_live(${day(29)}, '${today}'::date, ${day(59)}, ${day(30)})::jsonb AS live`
        )
      ).rows[0];
    const on = await summary();
    expect(on.mv).toEqual(on.live);
    // The week and the month containing today, held whole by the range, are computed with today live too.
    for (const grain of ['weekly', 'monthly']) {
      const { rows } = await c.query(
        `SELECT pos.get_${grain}_reports_mv(${day(120)}, '${today}'::date + 40)::jsonb AS mv,
                pos.get_${grain}_reports_live(${day(120)}, '${today}'::date + 40)::jsonb AS live`
      );
      expect(rows[0].mv).toEqual(rows[0].live);
    }
    await c.query(`CALL pos.set_zero_lag_reads(false)`);
    try {
      const off = await summary();
      expect(off.mv.current_period.total_revenue).toBeLessThan(off.live.current_period.total_revenue);
      const modes = await c.query(`SELECT DISTINCT zero_lag FROM mv_ops.freshness WHERE pack = 'sales'`);
      expect(modes.rows).toEqual([{ zero_lag: false }]);
    } finally {
      await c.query(`CALL pos.set_zero_lag_reads(true)`);
    }
  });

  test('the live day opens today only: asking the definer functions for another day is refused', async () => {
    await expect(c.query(`SELECT * FROM pos.live_tail_sales(${day(1)})`)).rejects.toThrow(
      /zero-lag reads are for today .* only/
    );
    await expect(c.query(`SELECT * FROM pos.live_tail_customers(${day(1)})`)).rejects.toThrow(
      /zero-lag reads are for today .* only/
    );
  });
});
