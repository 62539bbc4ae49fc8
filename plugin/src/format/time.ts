// Lags and moments. Relative times take `now` so they are pure; absolute ones follow the Grafana
// user's time zone (dateTimeFormat's default) unless a zone is given.
import { dateTimeFormat } from '@grafana/data';
import type { TimeZone } from '@grafana/schema';
import { NONE } from './numbers';

type Maybe = number | null | undefined;

/** Seconds behind the sources, coarser than a duration: "0 s", "42 s", "12 min", "3 h 4 min", "2 d 3 h". */
export function formatLag(seconds: Maybe): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return NONE;
  }
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) {
    return `${s} s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min`;
  }
  if (s < 86_400) {
    const m = Math.floor((s % 3600) / 60);
    return m === 0 ? `${Math.floor(s / 3600)} h` : `${Math.floor(s / 3600)} h ${m} min`;
  }
  const h = Math.floor((s % 86_400) / 3600);
  return h === 0 ? `${Math.floor(s / 86_400)} d` : `${Math.floor(s / 86_400)} d ${h} h`;
}

const STEPS: Array<[limit: number, size: number, unit: string]> = [
  [3600, 60, 'min'],
  [86_400, 3600, 'h'],
  [Infinity, 86_400, 'd'],
];

/** "just now", "5 min ago", "3 h ago", "2 d ago"; "in 5 min" for a moment ahead (a skewed clock). */
export function formatRelative(iso: string | null | undefined, now: number = Date.now()): string {
  const at = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(at)) {
    return NONE;
  }
  const diff = Math.round((now - at) / 1000);
  const abs = Math.abs(diff);
  if (abs < 45) {
    return 'just now';
  }
  const [, size, unit] = STEPS.find(([limit]) => abs < limit)!;
  const n = Math.max(1, Math.round(abs / size));
  return diff >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** "2024-05-01 12:34:56" in the user's time zone, or in `timeZone` when given. */
export function formatAbsolute(iso: string | null | undefined, timeZone?: TimeZone): string {
  if (!iso || Number.isNaN(Date.parse(iso))) {
    return NONE;
  }
  return dateTimeFormat(iso, { timeZone });
}
