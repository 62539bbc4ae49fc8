// Quantities as the pages show them: short enough for a table cell, exact enough to compare rows.
// A missing value (null: never measured) is a dash, never 0, which would read as a measurement.
export const NONE = '—';

type Maybe = number | null | undefined;
const missing = (n: Maybe): n is null | undefined => n === null || n === undefined || !Number.isFinite(n);

/** Milliseconds: "850 ms", "4.2 s", "42 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(ms: Maybe): string {
  if (missing(ms)) {
    return NONE;
  }
  const v = Math.max(0, ms);
  if (v < 1000) {
    return `${Math.round(v)} ms`;
  }
  if (v < 10_000) {
    return `${(v / 1000).toFixed(1)} s`;
  }
  const s = Math.round(v / 1000);
  if (s < 60) {
    return `${s} s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)} min ${s % 60} s`;
  }
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

// Grouping fixed to en-US so a number reads the same in every Grafana and in the tests.
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Row counts and the like: "1,234,567". */
export const formatCount = (n: Maybe): string => (missing(n) ? NONE : count.format(n));

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Sizes in binary units, as PostgreSQL counts them: "512 B", "8.0 KiB", "118 MiB". */
export function formatBytes(bytes: Maybe): string {
  if (missing(bytes)) {
    return NONE;
  }
  let v = Math.max(0, bytes);
  let unit = 0;
  while (v >= 1024 && unit < BYTE_UNITS.length - 1) {
    v /= 1024;
    unit += 1;
  }
  if (unit === 0) {
    return `${Math.round(v)} B`;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${BYTE_UNITS[unit]}`;
}
