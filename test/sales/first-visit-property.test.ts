// Property: an incremental refresh after batches that move customers' first visits (voiding or deleting a first
// visit, handing it to another customer, moving a line to another day, a late sale before everything, a customer no
// refresh has seen) leaves the visits, their first-visit flags and everything counted from them exactly as a full
// recompute would. The changed days are drawn far apart, next to each other and overlapping, so the dashboard cache's
// runs of days ("islands", 0108) are split, adjacent and merged. Few phones, so first visits move often; batches
// come from a seeded PRNG (same on every run).
import type { Client } from 'pg';
import { prng } from '../harness/prng';
import { openTestDatabase, type TestDb } from '../harness/sql';
import { aggregateRows, lastRunTypes, SALES_AGGREGATES, venueToday } from './support/aggregates';

jest.setTimeout(240_000);

const PHONES = Array.from({ length: 8 }, (_, i) => `09${String(20000000 + i * 104729).slice(0, 8)}`);
const SPAN = 160;

let db: TestDb;
let c: Client;
let today: string;
const random = prng(20261202);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
const int = (n: number) => Math.floor(random() * n);
let receipt = 0;
let newcomers = 0;

const day = (back: number) => `('${today}'::date - ${back})`;
/** A customer's line on their first day with a line still counted (none: NULL). */
const firstLine = (phone: string) =>
  `(SELECT id FROM pos.lengolf_sales WHERE customer_phone_number = '${phone}' AND NOT is_voided ORDER BY date, id LIMIT 1)`;

async function insertReceipt(back: number, phone: string | null): Promise<void> {
  receipt += 1;
  const net = (20 + int(300)).toFixed(2);
  await c.query(`INSERT INTO pos.lengolf_sales (date, sales_timestamp, receipt_number, customer_phone_number, product_name,
                   product_category, item_cnt, sales_net, gross_profit, is_sim_usage, payment_method)
                 VALUES (${day(back)}, ${day(back)} + time '10:00' + interval '${int(600)} minutes', 'F-${receipt}',
                         ${phone === null ? 'NULL' : `'${phone}'`}, 'Bay hour', 'SIM', 1, ${net}, ${net} * 0.4, ${int(2)},
                         '${pick(['Cash', 'Card', 'QR Pay'])}')`);
}

/** Days back for a change: near today, near an earlier change (adjacent or overlapping islands), or anywhere. */
function someDay(previous: number[]): number {
  const r = random();
  if (r < 0.3) {
    return int(3);
  }
  if (r < 0.6 && previous.length > 0) {
    return Math.max(0, Math.min(SPAN, pick(previous) + pick([-33, -31, -30, -29, -7, -1, 1, 7, 29, 30, 31, 33])));
  }
  return int(SPAN + 1);
}

async function randomBatch(): Promise<string[]> {
  const done: string[] = [];
  const days: number[] = [];
  const steps = 2 + int(4);
  for (let s = 0; s < steps; s++) {
    const kind = int(7);
    const phone = pick(PHONES);
    if (kind === 0) {
      await c.query(`UPDATE pos.lengolf_sales SET is_voided = true WHERE id = ${firstLine(phone)}`);
      done.push(`void the first visit of ${phone}`);
    } else if (kind === 1) {
      await c.query(
        `UPDATE pos.lengolf_sales SET customer_phone_number = '${pick(PHONES)}' WHERE id = ${firstLine(phone)}`
      );
      done.push(`hand the first visit of ${phone} to another customer`);
    } else if (kind === 2) {
      const shift = pick([-40, -12, -1, 1, 5, 31]);
      await c.query(`UPDATE pos.lengolf_sales SET date = LEAST('${today}'::date, date + ${shift}),
                       sales_timestamp = sales_timestamp + ${shift} * interval '1 day'
                     WHERE id = (SELECT id FROM pos.lengolf_sales WHERE customer_phone_number = '${phone}'
                                 ORDER BY id OFFSET ${int(3)} LIMIT 1)`);
      done.push(`move a line of ${phone} by ${shift} days`);
    } else if (kind === 3) {
      await c.query(`DELETE FROM pos.lengolf_sales WHERE customer_phone_number = '${phone}'
                       AND date = (SELECT date FROM pos.lengolf_sales WHERE id = ${firstLine(phone)})`);
      done.push(`delete the first day of ${phone}`);
    } else if (kind === 4) {
      await c.query(`UPDATE pos.lengolf_sales SET is_voided = false
                     WHERE id = (SELECT id FROM pos.lengolf_sales WHERE is_voided ORDER BY random() LIMIT 1)`);
      done.push('unvoid a line');
    } else if (kind === 5) {
      newcomers += 1;
      const back = someDay(days);
      days.push(back);
      await insertReceipt(back, `0977${String(newcomers).padStart(6, '0')}`);
      done.push(`a new customer ${back} days back`);
    } else {
      const back = random() < 0.3 ? SPAN + int(20) : someDay(days);
      days.push(back);
      await insertReceipt(back, random() < 0.9 ? phone : null);
      done.push(`a sale of ${phone} ${back} days back`);
    }
  }
  return done;
}

beforeAll(async () => {
  db = await openTestDatabase('sales_first_visits');
  c = await db.session();
  today = await venueToday(c);
  for (let back = SPAN; back >= 0; back--) {
    if (back % 5 === 2) {
      continue;
    } // days with no sales
    for (let r = 0; r < 2; r++) {
      await insertReceipt(back, random() < 0.85 ? pick(PHONES) : null);
    }
  }
  await c.query(`CALL mv_ops.refresh(pack => 'sales')`);
});
afterAll(() => db.close());

describe('first visits that move: incremental refresh equals a full recompute (property, 20 random batches)', () => {
  test.each(Array.from({ length: 20 }, (_, i) => i + 1))(
    'batch %i: incremental, and row for row what a full refresh gives',
    async () => {
      const done = await randomBatch();
      await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'schedule')`);
      expect({ done, types: await lastRunTypes(c) }).toEqual({ done, types: ['incremental:succeeded'] });
      const incremental = await aggregateRows(c);
      // Every customer's first visit is flagged on their earliest day, and only there.
      const { rows } = await c.query(`SELECT count(*)::int AS wrong FROM pos.mv_customer_daily_visits v
        WHERE v.is_first_visit IS DISTINCT FROM (v.date = (SELECT min(w.date) FROM pos.mv_customer_daily_visits w
                                                            WHERE w.customer_key = v.customer_key))`);
      expect({ done, wrong: rows[0].wrong }).toEqual({ done, wrong: 0 });
      await c.query(`CALL mv_ops.refresh(pack => 'sales', trigger => 'manual')`);
      expect(await lastRunTypes(c)).toEqual(['full:succeeded']);
      const full = await aggregateRows(c);
      for (const t of SALES_AGGREGATES) {
        expect({ done, t, rows: incremental[t] }).toEqual({ done, t, rows: full[t] });
      }
    }
  );
});
