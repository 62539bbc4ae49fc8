// The sales dashboard's rule for turning Grafana's time range (two UTC instants) into the venue's local dates,
// run on PostgreSQL: start = local date of `from`, end = local date of the instant just before `to`, in the time
// zone pos.setting names; so a range ending at local midnight stops at the day before, and a Bangkok "today"
// (from 17:00 UTC the day before) is one day, where a DATE column compared with the UTC literals would give two.
import type { Client } from 'pg';
import { VENUE_PERIOD } from '../../provisioning/src/dashboards/salesOverview';
import { openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('dash_local_dates');
  c = await db.session();
});
afterAll(() => db.close());

/** What Grafana's $__timeFrom()/$__timeTo() put in the SQL: quoted UTC RFC 3339 literals. */
const withRange = (sql: string, from: string, to: string) =>
  sql.replaceAll('$__timeFrom()', `'${from}'`).replaceAll('$__timeTo()', `'${to}'`);

async function period(from: string, to: string): Promise<{ start: string; end: string; days: number }> {
  const sql = withRange(
    `WITH ${VENUE_PERIOD} SELECT start_date::text AS start, end_date::text AS end, days FROM period`,
    from,
    to
  );
  const { rows } = await c.query(sql);
  expect(rows).toHaveLength(1);
  return rows[0];
}

describe('the venue period (Asia/Bangkok, UTC+7, from pos.setting)', () => {
  test.each([
    [
      '30 local days ending at Bangkok midnight',
      '2025-06-06T17:00:00Z',
      '2025-07-06T17:00:00Z',
      '2025-06-07',
      '2025-07-06',
      30,
    ],
    [
      'one millisecond past Bangkok midnight takes in the new day',
      '2025-06-06T17:00:00Z',
      '2025-07-06T17:00:00.001Z',
      '2025-06-07',
      '2025-07-07',
      31,
    ],
    [
      'a start one second before Bangkok midnight counts that day',
      '2025-06-06T16:59:59Z',
      '2025-07-06T17:00:00Z',
      '2025-06-06',
      '2025-07-06',
      31,
    ],
    [
      '"Today" in Bangkok (now/d to now/d) is one day',
      '2025-07-05T17:00:00Z',
      '2025-07-06T16:59:59.999Z',
      '2025-07-06',
      '2025-07-06',
      1,
    ],
    [
      '"Today" as Grafana writes it in seconds',
      '2025-07-05T17:00:00Z',
      '2025-07-06T16:59:59Z',
      '2025-07-06',
      '2025-07-06',
      1,
    ],
    [
      'the last 24 hours at 10:00 UTC (17:00 in Bangkok) touch two local days',
      '2025-07-01T10:00:00Z',
      '2025-07-02T10:00:00Z',
      '2025-07-01',
      '2025-07-02',
      2,
    ],
    [
      'a UTC day straddles two Bangkok days',
      '2025-07-01T00:00:00Z',
      '2025-07-02T00:00:00Z',
      '2025-07-01',
      '2025-07-02',
      2,
    ],
    [
      'an empty range is its start day, never a reversed range',
      '2025-06-06T17:00:00Z',
      '2025-06-06T17:00:00Z',
      '2025-06-07',
      '2025-06-07',
      1,
    ],
  ])('%s', async (_what, from, to, start, end, days) => {
    expect(await period(from, to)).toEqual({ start, end, days });
  });

  test('the zone is read from pos.setting at query time, not fixed in the dashboard', async () => {
    await c.query('BEGIN');
    try {
      await c.query(`UPDATE pos.setting SET value = 'UTC' WHERE name = 'time_zone'`);
      expect(await period('2025-06-06T17:00:00Z', '2025-07-06T17:00:00Z')).toEqual({
        start: '2025-06-06',
        end: '2025-07-06',
        days: 31,
      });
    } finally {
      await c.query('ROLLBACK');
    }
  });

  test('a DATE column filtered with the UTC literals (what $__timeFilter does) would take in a day too many', async () => {
    // The trap the rule avoids: Bangkok's "today" as UTC instants, cast to dates, spans two dates.
    const { rows } = await c.query(`SELECT ('2025-07-06T16:59:59Z'::date - '2025-07-05T17:00:00Z'::date) + 1 AS days`);
    expect(rows[0].days).toBe(2);
  });
});
