// The sales pack's write-side benchmark: a 15-minute batch of POS writes brought up to date by the scheduled
// refresh, against a full refresh of the same data; and what the mv_ops triggers on pos.lengolf_sales add to
// each line the POS inserts.
import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import { drawReceipts, receiptInsert, type Receipt } from '../seed/sales';
import { describeCommits, withCommits, type CommitMode } from './commitModes';
import { median } from './measure';
import { refreshPack } from './refreshPack';
import { ratio, type Correction, type IncrementalResult, type WritePathResult, type WritePathRound } from './report';
import type { BenchContext } from './types';

/** Receipt numbers of the batch and of the write path: above the seeded ones (at most ~23K a day at scale 1000). */
const BATCH_RECEIPTS_FROM = 50_001;
const WRITE_PATH_RECEIPTS_FROM = 60_001;
const LATE_RECEIPTS_FROM = 70_001;
/** Days back from today of the lines the batch corrects (a refund, a void, a customer fixed long after). */
export const CORRECTION_DAYS_BACK = 200;

/** Today in the venue's time zone, its index in the data's series, and the line items per day with sales. */
async function today(c: Client): Promise<{ day: string; dayIndex: number; averageDayLines: number }> {
  const { rows } = await c.query(`
    SELECT (now() AT TIME ZONE s.value)::date::text AS day, (now() AT TIME ZONE s.value)::date - min(l.date) AS day_index,
           count(*)::float8 / count(DISTINCT l.date) AS per_day
    FROM pos.lengolf_sales l CROSS JOIN pos.setting s WHERE s.name = 'time_zone' GROUP BY s.value`);
  return { day: rows[0].day, dayIndex: rows[0].day_index, averageDayLines: rows[0].per_day };
}

/** The first receipts whose lines add up to at least `lines` (receipts are never split). */
export function receiptsForLines(receipts: Receipt[], lines: number): Receipt[] {
  const taken: Receipt[] = [];
  let n = 0;
  for (const r of receipts) {
    if (n >= lines) {
      break;
    }
    taken.push(r);
    n += r.lines.length;
  }
  return taken;
}

/** The batch's corrections of lines CORRECTION_DAYS_BACK days back, each its own transaction as the back office makes them. */
async function correctOldLines(c: Client, day: string): Promise<Correction[]> {
  const { rows } = await c.query<{ id: string; date: string }>(
    `SELECT id, date::text FROM pos.lengolf_sales WHERE date <= $1::date - $2::int AND NOT is_voided
     ORDER BY date DESC, id LIMIT 3`,
    [day, CORRECTION_DAYS_BACK]
  );
  const corrections: Array<[string, string]> = [
    [
      'sales_net and gross_profit of a line +100',
      `UPDATE pos.lengolf_sales SET sales_net = sales_net + 100, gross_profit = gross_profit + 100, updated_at = now() WHERE id = $1`,
    ],
    ['a line voided', `UPDATE pos.lengolf_sales SET is_voided = true, updated_at = now() WHERE id = $1`],
    [
      "a line's customer changed",
      `UPDATE pos.lengolf_sales l SET customer_name = o.customer_name, customer_phone_number = o.customer_phone_number, updated_at = now()
       FROM (SELECT s.customer_name, s.customer_phone_number FROM pos.lengolf_sales s
             WHERE pos.customer_key(s.customer_phone_number) IS NOT NULL
               AND s.customer_phone_number IS DISTINCT FROM (SELECT x.customer_phone_number FROM pos.lengolf_sales x WHERE x.id = $1)
             ORDER BY s.id LIMIT 1) o
       WHERE l.id = $1`,
    ],
  ];
  const done: Correction[] = [];
  for (const [i, line] of rows.entries()) {
    const [what, sql] = corrections[i];
    await c.query(sql, [line.id]);
    done.push({ what, id: Number(line.id), date: line.date });
  }
  return done;
}

/**
 * Batch rounds by default: one sample of a ~100 ms refresh is at the mercy of whatever else the machine does, and
 * with three the median still moved by a tenth of the 1 % target between runs.
 */
export const BATCH_ROUNDS = 5;
/** Receipt numbers a round's batch may use before the next round's begin (~240 receipts a batch at scale 1000). */
const RECEIPTS_PER_ROUND = 1_000;

/**
 * One round: a full refresh (timed: trigger manual), then a 15-minute batch: about 1/96 of an average day's lines
 * as new receipts for today, one INSERT per receipt, and three corrections of lines 200 days back; then the
 * scheduled refresh that brings every view up to date (timed). Whether it was incremental is what the log says.
 */
async function batchRound(ctx: BenchContext, round: number): Promise<IncrementalResult> {
  const { client: c, log, scale } = ctx;
  log(`sales x${scale}: round ${round + 1}: full refresh (trigger manual)`);
  const full = await refreshPack(c, 'sales', 'manual');
  const { day, dayIndex, averageDayLines } = await today(c);
  const wanted = Math.max(1, Math.round(averageDayLines / 96));
  const drawn = await drawReceipts(c, {
    scale,
    seed: ctx.seed + round,
    day,
    dayIndex,
    firstReceipt: BATCH_RECEIPTS_FROM + round * RECEIPTS_PER_ROUND,
    count: wanted,
  });
  const batch = receiptsForLines(drawn, wanted);
  for (const r of batch) {
    await c.query(receiptInsert(r));
  }
  const corrections = await correctOldLines(c, day);
  const batchLines = batch.reduce((n, r) => n + r.lines.length, 0);
  log(
    `sales x${scale}: round ${round + 1}: batch of ${batch.length} receipts (${batchLines} lines) for ${day} and ${corrections.length} corrections; scheduled refresh`
  );
  const scheduled = await refreshPack(c, 'sales', 'schedule');
  log(
    `sales x${scale}: round ${round + 1}: batch refresh ${scheduled.wallMs.toFixed(0)} ms, full refresh ${full.wallMs.toFixed(0)} ms (${(ratio(scheduled.wallMs, full.wallMs) * 100).toFixed(2)} %)`
  );
  const result = { day, averageDayLines, batchReceipts: batch.length, batchLines, corrections, scheduled, full };
  return { ...result, ratio: ratio(scheduled.wallMs, full.wallMs), rounds: [] };
}

/**
 * The batch measured in `rounds` rounds on the same database (each adds its batch to the data): the round with
 * the median ratio, and every round's two times and ratio, so one slow sample neither decides the figure nor hides.
 */
export async function measureBatchRefresh(ctx: BenchContext, rounds = BATCH_ROUNDS): Promise<IncrementalResult> {
  const results: IncrementalResult[] = [];
  for (let round = 0; round < rounds; round++) {
    results.push(await batchRound(ctx, round));
  }
  const middle = median(results.map((r) => r.ratio));
  const chosen = results.find((r) => Object.is(r.ratio, middle)) ?? results[0];
  return {
    ...chosen,
    rounds: results.map((r) => ({
      batchReceipts: r.batchReceipts,
      batchLines: r.batchLines,
      scheduledMs: r.scheduled.wallMs,
      fullMs: r.full.wallMs,
      ratio: r.ratio,
    })),
  };
}

/**
 * Medians over the rounds of each setting; the extra µs per line is the median of each round's own difference
 * (its two passes run back to back), so the machine's drift from round to round cancels; and the overhead in
 * percent of the untriggered cost.
 */
export function summarizeRounds(
  rounds: WritePathRound[]
): Pick<WritePathResult, 'offUsPerLine' | 'onUsPerLine' | 'extraUsPerLine' | 'overheadPct'> {
  const offUsPerLine = median(rounds.map((r) => r.offUsPerLine));
  const onUsPerLine = median(rounds.map((r) => r.onUsPerLine));
  const extraUsPerLine = median(rounds.map((r) => r.onUsPerLine - r.offUsPerLine));
  return { offUsPerLine, onUsPerLine, extraUsPerLine, overheadPct: ratio(extraUsPerLine, offUsPerLine) * 100 };
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The mv_ops triggers on pos.lengolf_sales: mv_ops_track_changes, and the key-tracking ones where installed. */
async function mvOpsTriggers(c: Client): Promise<string[]> {
  const { rows } = await c.query<{ tgname: string }>(
    `SELECT tgname FROM pg_catalog.pg_trigger
     WHERE tgrelid = 'pos.lengolf_sales'::regclass AND NOT tgisinternal AND tgname LIKE 'mv\\_ops\\_%' ORDER BY tgname`
  );
  return rows.map((r) => r.tgname);
}

export interface WritePathOptions {
  /** Timed rounds per receipt shape (one untimed round goes first); default 24 (durable commits vary from round to round with the disk). */
  rounds?: number;
  /** Timed receipts per pass (one more warms the pass up); defaults 200 single-line, 100 of 2-4 lines. */
  singleLineReceipts?: number;
  multiLineReceipts?: number;
  /** Commit settings to measure under, in order; default the server's own, then durable (commitModes.ts). */
  commits?: CommitMode[];
}

/**
 * The same receipts inserted one INSERT (one transaction) each, with the mv_ops triggers on pos.lengolf_sales
 * disabled and enabled, alternating which goes first, in several rounds; each pass's rows are deleted again
 * (with the triggers enabled, so the change journals stay true), so the data set ends as it began. Measured
 * under each commit mode asked for: the triggers' share depends on what a commit costs.
 */
export async function measureWritePath(ctx: BenchContext, o: WritePathOptions = {}): Promise<WritePathResult[]> {
  const { client: c, log, scale } = ctx;
  const rounds = o.rounds ?? 24;
  const singles = o.singleLineReceipts ?? 200;
  const multis = o.multiLineReceipts ?? 100;
  const triggers = await mvOpsTriggers(c);
  if (triggers.length === 0) {
    log(`sales x${scale}: write path skipped: no mv_ops trigger on pos.lengolf_sales`);
    return [];
  }
  const { day, dayIndex } = await today(c);
  const drawn = await drawReceipts(c, {
    scale,
    seed: ctx.seed,
    day,
    dayIndex,
    firstReceipt: WRITE_PATH_RECEIPTS_FROM,
    count: 4 * (singles + multis) + 8,
  });
  // Lines dated another day (a till that syncs after midnight) are the ones the key journal still records.
  const { rows: yesterday } = await c.query<{ d: string }>(`SELECT ($1::date - 1)::text AS d`, [day]);
  const late = await drawReceipts(c, {
    scale,
    seed: ctx.seed,
    day: yesterday[0].d,
    dayIndex: dayIndex - 1,
    firstReceipt: LATE_RECEIPTS_FROM,
    count: 4 * singles + 8,
  });
  const shapes: Array<[string, Receipt[]]> = [
    ['single-line', drawn.filter((r) => r.lines.length === 1).slice(0, singles + 1)],
    ['multi-line', drawn.filter((r) => r.lines.length > 1).slice(0, multis + 1)],
    ['late single-line', late.filter((r) => r.lines.length === 1).slice(0, singles + 1)],
  ];
  const setTriggers = (enable: boolean) =>
    c.query(
      triggers
        .map((t) => `ALTER TABLE pos.lengolf_sales ${enable ? 'ENABLE' : 'DISABLE'} TRIGGER ${quoteIdent(t)}`)
        .join('; ')
    );
  /** One pass: µs per line of the timed receipts; the first receipt warms the session up untimed. */
  const pass = async (receipts: Receipt[], on: boolean): Promise<number> => {
    const before = (await c.query(`SELECT COALESCE(max(id), 0) AS id FROM pos.lengolf_sales`)).rows[0].id;
    if (!on) {
      await setTriggers(false);
    }
    let ms = 0;
    let lines = 0;
    try {
      await c.query(receiptInsert(receipts[0]));
      for (const r of receipts.slice(1)) {
        const insert = receiptInsert(r);
        const started = performance.now();
        await c.query(insert);
        ms += performance.now() - started;
        lines += r.lines.length;
      }
    } finally {
      if (!on) {
        await setTriggers(true);
      }
      await c.query(`DELETE FROM pos.lengolf_sales WHERE id > $1`, [before]);
    }
    return (ms * 1000) / lines;
  };
  /** Both receipt shapes, each in rounds of the triggers off and on, under the commit settings in force. */
  const measureShapes = async (commits: string): Promise<WritePathResult[]> => {
    const results: WritePathResult[] = [];
    for (const [shape, receipts] of shapes) {
      if (receipts.length < 2) {
        continue;
      }
      log(`sales x${scale}: write path, ${shape} receipts (${commits}), triggers ${triggers.join(', ')} off and on`);
      const measured: WritePathRound[] = [];
      for (let round = 0; round <= rounds; round++) {
        const first = round % 2 === 0 ? 'off' : 'on';
        const firstUs = await pass(receipts, first === 'on');
        const secondUs = await pass(receipts, first !== 'on');
        // Round 0 warms the table's indexes and the plans for both settings; it is not counted.
        if (round > 0) {
          measured.push({
            first,
            offUsPerLine: first === 'off' ? firstUs : secondUs,
            onUsPerLine: first === 'on' ? firstUs : secondUs,
          });
        }
      }
      const timed = receipts.slice(1);
      const result: WritePathResult = {
        shape: `${shape} receipts`,
        commits,
        receipts: timed.length,
        lines: timed.reduce((n, r) => n + r.lines.length, 0),
        triggers,
        rounds: measured,
        ...summarizeRounds(measured),
      };
      log(
        `sales x${scale}: ${result.shape} (${commits}): ${result.offUsPerLine.toFixed(1)} µs/line without triggers, ${result.onUsPerLine.toFixed(1)} with (${result.overheadPct.toFixed(1)} %)`
      );
      results.push(result);
    }
    return results;
  };
  const results: WritePathResult[] = [];
  const seen = new Set<string>();
  for (const mode of o.commits ?? (['as configured', 'durable'] as CommitMode[])) {
    const measured = await withCommits(c, mode, log, async (settings) => {
      const commits = describeCommits(settings);
      // A server that already commits durably: the second mode would measure the same thing again.
      return seen.has(commits) ? [] : (seen.add(commits), await measureShapes(commits));
    });
    results.push(...(measured ?? []));
  }
  return results;
}
