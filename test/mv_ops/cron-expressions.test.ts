import type { Client } from 'pg';
import { errorOf, openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('cron');
  c = await db.session();
});
afterAll(() => db.close());

const fired = async (expr: string, tz: string, after: string, upTo: string): Promise<boolean> =>
  (await c.query(`SELECT mv_ops.cron_fired($1, $2, $3, $4) AS f`, [expr, tz, after, upTo])).rows[0].f;

describe('mv_ops.cron_fired', () => {
  test.each([
    ['*/15 * * * *', 'UTC', '2025-01-01 10:01Z', '2025-01-01 10:14Z', false],
    ['*/15 * * * *', 'UTC', '2025-01-01 10:01Z', '2025-01-01 10:15Z', true],
    ['*/15 * * * *', 'UTC', '2025-01-01 10:15Z', '2025-01-01 10:16Z', false], // the lower bound is exclusive
    ['0 2 * * *', 'UTC', '2025-01-01 02:00Z', '2025-01-02 01:59Z', false],
    ['0 2 * * *', 'UTC', '2025-01-01 02:00Z', '2025-01-02 02:00Z', true],
    ['0 2 * * *', 'Asia/Bangkok', '2025-01-01 12:00Z', '2025-01-01 18:59Z', false], // 02:00 Bangkok = 19:00Z
    ['0 2 * * *', 'Asia/Bangkok', '2025-01-01 12:00Z', '2025-01-01 19:00Z', true],
    ['0 3 1 * *', 'UTC', '2025-01-02 00:00Z', '2025-01-31 23:59Z', false],
    ['0 3 1 * *', 'UTC', '2025-01-02 00:00Z', '2025-02-01 03:00Z', true],
    ['0 0 * * 0', 'UTC', '2025-01-06 00:00Z', '2025-01-11 23:59Z', false], // Mon..Sat
    ['0 0 * * 7', 'UTC', '2025-01-06 00:00Z', '2025-01-12 00:00Z', true], // 7 is Sunday too
    ['0 0 13 * 5', 'UTC', '2025-06-01 00:00Z', '2025-06-06 00:00Z', true], // day-of-month OR day-of-week: Fri 6 June
    ['@hourly', 'UTC', '2025-01-01 10:00Z', '2025-01-01 10:59Z', false],
    ['@hourly', 'UTC', '2025-01-01 10:00Z', '2025-01-01 11:00Z', true],
    ['0 0 1 1 *', 'UTC', '2020-01-02 00:00Z', '2025-01-01 00:00Z', true], // a long outage counts as fired
  ])('%s in %s over (%s, %s] fired = %s', async (expr, tz, after, upTo, expected) => {
    expect(await fired(expr, tz, after, upTo)).toBe(expected);
  });

  test.each([
    ['', 'expected five fields'],
    ['* * * *', 'expected five fields'],
    ['*/0 * * * *', 'invalid minute field "*/0"'],
    ['5-1 * * * *', 'invalid minute field "5-1"'],
    ['* * 0 * *', 'invalid day-of-month field "0"'],
    ['* * * 13 *', 'invalid month field "13"'],
    ['* * * * 8', 'invalid day-of-week field "8"'],
  ])('rejects %p with %p', async (expr, fragment) => {
    const err = await errorOf(c.query(`SELECT mv_ops.cron_parse($1)`, [expr]));
    expect(err.message).toContain(fragment);
    expect(err.code).toBe('22023');
  });
});
