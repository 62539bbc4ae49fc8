// The time ranges a dashboard user picks, resolved as Grafana's time picker resolves them at a given "now",
// and the venue's local dates a range covers. Both instants sit inside the sales seed (2024-03-16 → 2025-07-06)
// and the platform seed (the two years before today), five minutes either side of midnight in Bangkok.
import type { TimeRange } from '../../grafana/macros';

export const VENUE_TIME_ZONE = 'Asia/Bangkok';

export interface Instant {
  name: string;
  now: Date;
}

/** 23:55 and 00:05 in Bangkok (UTC+7): the evening of 14 June 2025 and the first minutes of 15 June. */
export const SALES_INSTANTS: Instant[] = [
  { name: '16:55Z', now: new Date('2025-06-14T16:55:00Z') },
  { name: '17:05Z', now: new Date('2025-06-14T17:05:00Z') },
];

/**
 * The platform seed is relative to the day it runs and its views hold windows up to that day (90 days back,
 * slots ahead, payments since 1 January), so its instants are yesterday's, at the same times of day.
 */
const yesterday = new Date(Date.now() - 864e5).toISOString().slice(0, 10);
export const PLATFORM_INSTANTS: Instant[] = [
  { name: '16:55Z', now: new Date(`${yesterday}T16:55:00Z`) },
  { name: '17:05Z', now: new Date(`${yesterday}T17:05:00Z`) },
];

/** Every instant the tests evaluate at (refresh history is written around each). */
export const INSTANTS: Instant[] = [...SALES_INSTANTS, ...PLATFORM_INSTANTS];

/** The date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/** The UTC offset of a zone at an instant, in ms (Bangkok: +7 h). */
function offsetMs(d: Date, timeZone: string): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(d)
      .map((x) => [x.type, Number(x.value)])
  );
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(d.getTime() / 1000) * 1000;
}

/** The instant local midnight starts a date (YYYY-MM-DD) in a zone. */
export function startOfLocalDate(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  let guess = Date.UTC(y, m - 1, d);
  for (let i = 0; i < 2; i++) {
    guess = Date.UTC(y, m - 1, d) - offsetMs(new Date(guess), timeZone);
  }
  return new Date(guess);
}

export const addDays = (date: string, n: number): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

export interface PickedRange {
  name: string;
  /** The Grafana raw range, as a user would type it into the picker. */
  raw: { from: string; to: string };
  /** from/to for "now" in the dashboard's time zone (now/d and now/M round in that zone). */
  resolve(now: Date, timeZone: string): TimeRange;
}

const ago = (ms: number) => (now: Date) => ({ from: new Date(now.getTime() - ms), to: now });
const DAY = 864e5;

export const RANGES: PickedRange[] = [
  { name: 'last 24 h', raw: { from: 'now-24h', to: 'now' }, resolve: ago(DAY) },
  { name: 'last 7 d', raw: { from: 'now-7d', to: 'now' }, resolve: ago(7 * DAY) },
  { name: 'last 30 d', raw: { from: 'now-30d', to: 'now' }, resolve: ago(30 * DAY) },
  {
    name: 'this month so far',
    raw: { from: 'now/M', to: 'now' },
    resolve: (now, tz) => ({ from: startOfLocalDate(`${localDate(now, tz).slice(0, 8)}01`, tz), to: now }),
  },
  {
    name: 'today so far',
    raw: { from: 'now/d', to: 'now' },
    resolve: (now, tz) => ({ from: startOfLocalDate(localDate(now, tz), tz), to: now }),
  },
  {
    // A local week picked in the calendar: Monday 2 June 00:00 to Monday 9 June 00:00 in Bangkok (end exclusive).
    name: 'absolute week 2025-06-01 17:00Z to 2025-06-08 17:00Z',
    raw: { from: '2025-06-01T17:00:00.000Z', to: '2025-06-08T17:00:00.000Z' },
    resolve: () => ({ from: new Date('2025-06-01T17:00:00.000Z'), to: new Date('2025-06-08T17:00:00.000Z') }),
  },
  {
    // Not aligned to any midnight: 17:00 on 20 May to 03:30 on 4 June in Bangkok (UTC dates 20 May - 3 June).
    name: 'absolute 2025-05-20 10:00Z to 2025-06-03 20:30Z',
    raw: { from: '2025-05-20T10:00:00.000Z', to: '2025-06-03T20:30:00.000Z' },
    resolve: () => ({ from: new Date('2025-05-20T10:00:00.000Z'), to: new Date('2025-06-03T20:30:00.000Z') }),
  },
];

/** Dashboard JSON `timezone`: '' and 'browser' are the staff's browser, which sits in the venue. */
export function dashboardTimeZone(timezone: string | undefined): string {
  if (!timezone || timezone === 'browser') {
    return VENUE_TIME_ZONE;
  }
  return timezone === 'utc' ? 'UTC' : timezone;
}

/**
 * The local dates a range covers, first and last inclusive: the date of its start, and the date of the last
 * instant inside it (a range ending exactly at local midnight, as a picked calendar week does, ends the day before).
 */
export function localDates(range: TimeRange, timeZone = VENUE_TIME_ZONE): { first: string; last: string } {
  const first = localDate(range.from, timeZone);
  const last = localDate(new Date(range.to.getTime() - 1), timeZone);
  return { first, last: last < first ? first : last };
}

/** The period of the same length just before [first, last] (what "change against the previous period" compares). */
export function previousPeriod({ first, last }: { first: string; last: string }): { first: string; last: string } {
  const days = Math.round((Date.parse(last) - Date.parse(first)) / DAY) + 1;
  return { first: addDays(first, -days), last: addDays(first, -1) };
}
