// What Grafana 13 turns a PostgreSQL panel, variable, annotation or alert query into before PostgreSQL sees it,
// reimplemented from Grafana's behaviour (AGPL: learned from the source, not copied):
//   1. the browser: template variables and built-ins ($var, ${var}, [[var]], ${var:fmt}) through the dashboard's
//      template service with the PostgreSQL data source's interpolateVariable
//      (public/app/plugins/datasource/grafana-postgresql-datasource/datasource.ts): a string value has its quotes
//      doubled and is NOT wrapped, a number is kept, a list becomes 'a','b' (each quoted). Alert rules skip this
//      step (no browser, no dashboard variables).
//   2. the backend (pkg/tsdb/grafana-postgresql-datasource): comments stripped, quote-aware, before any macro is
//      looked at (an inert SQLCommenter tag /*k='v'*/ without a macro is kept); then $__interval_ms, $__interval,
//      $__unixEpochFrom(), $__unixEpochTo() (sqleng Interpolate); then every `$name(args)` is a macro
//      (macros.go): a name it does not know fails the query with `unknown macro "name"`.
// Time literals are UTC RFC 3339 with Go's nanosecond trimming; numbers in $__timeGroup print as Go's %v.

export interface TimeRange {
  from: Date;
  to: Date;
}

/** What $__timeGroup(col, interval, fill) asks Grafana to do with the result (SQL text is unaffected). */
export interface FillMode {
  mode: 'null' | 'previous' | 'value';
  value?: number;
  intervalSeconds: number;
}

export interface BackendOptions {
  range: TimeRange;
  /** The query's interval (the request's intervalMs): $__interval, $__interval_ms. */
  intervalMs: number;
  /** jsonData.timescaledb: $__timeGroup becomes time_bucket(). */
  timescaledb?: boolean;
  /** "now" for the calendar units d/w/M/y in $__timeGroup intervals (Go uses the wall clock). */
  now?: Date;
}

export interface BackendResult {
  sql: string;
  fill?: FillMode;
}

/** A query Grafana would refuse before running it; `message` is the panel's error text. */
export class MacroError extends Error {
  constructor(readonly reason: string) {
    super(`interpolation failed: ${reason}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Go formatting

/** time.Time.UTC().Format(time.RFC3339Nano): fraction without trailing zeros, none when whole seconds. */
export function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_, f: string) => (f ? `.${f}Z` : 'Z'));
}

/** fmt's %v of a float64 (strconv 'g', shortest): exponent form when the exponent is < -4 or >= 6 (1e+06). */
export function goFloat(v: number): string {
  if (v === 0) {
    return '0';
  }
  const [mantissa, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  // Shortest 'g' decides with precision 6, so 12d (1036800 s) prints as 1.0368e+06; PostgreSQL reads either.
  if (exp < -4 || exp >= 6) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

const GO_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

/** time.ParseDuration: "300ms", "1.5h", "2h45m"; a bare "0" is the only unit-less value. */
export function parseGoDuration(input: string): number {
  if (input === '0') {
    return 0;
  }
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(input);
  if (!m) {
    throw new Error(`time: invalid duration "${input}"`);
  }
  let ms = 0;
  for (const part of m[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    ms += Number(part[1]) * GO_UNITS_MS[part[2]];
  }
  return m[1] === '-' ? -ms : ms;
}

/** gtime.ParseInterval: Go durations plus Nd, Nw, NM, Ny measured from now in UTC. */
export function parseGrafanaInterval(input: string, now = new Date()): number {
  const m = /^(\d+)([dwMy])$/.exec(input);
  if (!m) {
    return parseGoDuration(input);
  }
  const n = Number(m[1]);
  const then = new Date(now.getTime());
  if (m[2] === 'd' || m[2] === 'w') {
    then.setUTCDate(then.getUTCDate() + n * (m[2] === 'w' ? 7 : 1));
  } else if (m[2] === 'M') {
    then.setUTCMonth(then.getUTCMonth() + n);
  } else {
    then.setUTCFullYear(then.getUTCFullYear() + n);
  }
  return then.getTime() - now.getTime();
}

/** gtime.FormatInterval: the largest whole unit (y of 365 d, d, h, m, s, ms); below 1 ms "1ms". */
export function formatGrafanaInterval(ms: number): string {
  const units: Array<[string, number]> = [
    ['y', 365 * 864e5],
    ['d', 864e5],
    ['h', 3.6e6],
    ['m', 6e4],
    ['s', 1e3],
    ['ms', 1],
  ];
  for (const [unit, size] of units) {
    if (ms >= size) {
      return `${Math.trunc(ms / size)}${unit}`;
    }
  }
  return '1ms';
}

// ---------------------------------------------------------------------------------------------------------------
// Backend: comments, global substitutions, macros

const SQLCOMMENTER_TAG = /^\/\*\s*[\w.-]+\s*=\s*'[^']*'(?:\s*,\s*[\w.-]+\s*=\s*'[^']*')*\s*\*\/$/;

/** Removes -- and block comments outside quotes, "identifiers" and $tag$ strings (newline after -- kept). */
export function stripSqlComments(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  const copyQuoted = (q: string): void => {
    out += sql[i++];
    while (i < n) {
      const c = sql[i++];
      out += c;
      if (c === q) {
        if (sql[i] === q) {
          out += sql[i++];
        } else {
          return;
        }
      }
    }
  };
  while (i < n) {
    const c = sql[i];
    if (c === '$') {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        const stop = end < 0 ? n : end + tag[0].length;
        out += sql.slice(i, stop);
        i = stop;
      } else {
        out += sql[i++];
      }
    } else if (c === "'" || c === '"') {
      copyQuoted(c);
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      const comment = sql.slice(i, stop);
      // Grafana keeps an SQLCommenter tag unless a macro (anything with $) hides in it.
      if (SQLCOMMENTER_TAG.test(comment) && !comment.includes('$')) {
        out += comment;
      }
      i = stop;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') {
        i++;
      }
    } else {
      out += sql[i++];
    }
  }
  return out;
}

/** sqleng.Interpolate: the substitutions every SQL data source makes, by plain text replacement. */
export function interpolateGlobals(sql: string, range: TimeRange, intervalMs: number): string {
  return sql
    .split('$__interval_ms')
    .join(String(Math.trunc(intervalMs)))
    .split('$__interval')
    .join(formatGrafanaInterval(intervalMs))
    .split('$__unixEpochFrom()')
    .join(String(unixSeconds(range.from)))
    .split('$__unixEpochTo()')
    .join(String(unixSeconds(range.to)));
}

const unixSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);
const unixNanos = (d: Date): string => (BigInt(d.getTime()) * BigInt(1_000_000)).toString();

function parseFill(fill: string, intervalSeconds: number): FillMode {
  if (fill === 'NULL') {
    return { mode: 'null', intervalSeconds };
  }
  if (fill === 'previous') {
    return { mode: 'previous', intervalSeconds };
  }
  // strconv.ParseFloat: a decimal or exponent number, nothing else.
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(fill) && !/^[-+]?(inf|infinity|nan)$/i.test(fill)) {
    throw new MacroError(`error parsing fill value ${fill}`);
  }
  return { mode: 'value', value: Number(fill), intervalSeconds };
}

function groupInterval(name: string, args: string[], now: Date | undefined, fill: { value?: FillMode }): number {
  if (args.length < 2) {
    throw new MacroError(`macro ${name} needs time column and interval and optional fill value`);
  }
  let ms: number;
  try {
    ms = parseGrafanaInterval(args[1].replace(/^'+|'+$/g, ''), now);
  } catch {
    throw new MacroError(`error parsing interval ${args[1]}`);
  }
  if (args.length === 3) {
    fill.value = parseFill(args[2], ms / 1000);
  }
  return ms / 1000;
}

function evaluateMacro(name: string, args: string[], o: BackendOptions, fill: { value?: FillMode }): string {
  const { from, to } = o.range;
  const column = (): string => {
    // Go checks len(args) == 0, which strings.Split never gives: $__time() expands with an empty column, as in Go.
    if (args.length === 0) {
      throw new MacroError(`missing time column argument for macro ${name}`);
    }
    return args[0];
  };
  switch (name) {
    case '__time':
      return `${column()} AS "time"`;
    case '__timeEpoch':
      return `extract(epoch from ${column()}) as "time"`;
    case '__timeFilter':
      return `${column()} BETWEEN '${rfc3339Nano(from)}' AND '${rfc3339Nano(to)}'`;
    case '__timeFrom':
      return `'${rfc3339Nano(from)}'`;
    case '__timeTo':
      return `'${rfc3339Nano(to)}'`;
    case '__timeGroup': {
      const s = groupInterval(name, args, o.now, fill);
      if (o.timescaledb) {
        return `time_bucket('${s.toFixed(3)}s',${args[0]})`;
      }
      return `floor(extract(epoch from ${args[0]})/${goFloat(s)})*${goFloat(s)}`;
    }
    case '__timeGroupAlias':
      return `${evaluateMacro('__timeGroup', args, o, fill)} AS "time"`;
    case '__unixEpochFilter':
      return `${column()} >= ${unixSeconds(from)} AND ${args[0]} <= ${unixSeconds(to)}`;
    case '__unixEpochNanoFilter':
      return `${column()} >= ${unixNanos(from)} AND ${args[0]} <= ${unixNanos(to)}`;
    case '__unixEpochNanoFrom':
      return unixNanos(from);
    case '__unixEpochNanoTo':
      return unixNanos(to);
    case '__unixEpochGroup': {
      const s = groupInterval(name, args, o.now, fill);
      return `floor((${args[0]})/${goFloat(s)})*${goFloat(s)}`;
    }
    case '__unixEpochGroupAlias':
      return `${evaluateMacro('__unixEpochGroup', args, o, fill)} AS "time"`;
    default:
      throw new MacroError(`unknown macro ${JSON.stringify(name)}`);
  }
}

/** The PostgreSQL data source's backend steps: comments, globals, macros. Throws MacroError as Grafana fails. */
export function expandMacros(rawSql: string, o: BackendOptions): BackendResult {
  const sql = interpolateGlobals(stripSqlComments(rawSql), o.range, o.intervalMs);
  const fill: { value?: FillMode } = {};
  let firstError: MacroError | undefined;
  const out = sql.replace(/\$([_a-zA-Z0-9]+)\(([^)]*)\)/g, (whole: string, rawName: string, argText: string) => {
    let name = rawName;
    // Before Grafana 5.3 $__timeGroup added AS "time"; a ',' right after the FIRST identical call still means so.
    if (name === '__timeGroup') {
      const at = sql.indexOf(whole);
      if (at >= 0 && sql[at + whole.length] === ',') {
        name = '__timeGroupAlias';
      }
    }
    const args = argText.split(',').map((a) => a.replace(/^ +| +$/g, ''));
    try {
      return evaluateMacro(name, args, o, fill);
    } catch (err) {
      firstError ??= err instanceof MacroError ? err : new MacroError(String(err));
      return 'macro_error()';
    }
  });
  if (firstError) {
    throw firstError;
  }
  return { sql: out, fill: fill.value };
}

// ---------------------------------------------------------------------------------------------------------------
// Browser: template variables

export type VariableValue = string | number | Array<string | number>;

export interface TemplateVariable {
  /** The current value: a list when the variable is multi-value (even with one pick) or "All" expanded. */
  value: VariableValue;
  text?: string | string[];
  multi?: boolean;
  includeAll?: boolean;
  /** A custom "All" value: used as it is, never quoted (Grafana skips formatting custom all values). */
  allValue?: string | null;
  /** When `value` is "$__all" and there is no allValue: the options it stands for. */
  options?: string[];
}

export interface BrowserOptions {
  range: TimeRange;
  intervalMs: number;
  variables?: Record<string, TemplateVariable>;
  /** Time zone for ${__from:date:<moment format>} (the browser's or the dashboard's); default UTC. */
  timeZone?: string;
  /** The dashboard, for ${__dashboard} / ${__dashboard.uid}. */
  dashboard?: { title: string; uid: string };
  /** Variable queries get $__searchFilter ('%' when the user typed nothing). */
  searchFilter?: string;
}

const ALL = '$__all';

/** The PostgreSQL data source's interpolateVariable (Grafana 13): used when no ${var:format} is given. */
export function interpolateVariable(value: VariableValue): string {
  if (typeof value === 'string') {
    return value.replace(/'/g, "''");
  }
  if (typeof value === 'number') {
    return String(value);
  }
  return value.map((v) => `'${String(v).replace(/'/g, "''")}'`).join(',');
}

function zonedParts(ms: number, timeZone: string): Record<string, string> {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  p.SSS = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  return p;
}

function formatDate(ms: number, arg: string, timeZone: string): string {
  switch (arg) {
    case 'ms':
      return String(ms);
    case 'seconds':
      return String(Math.round(ms / 1000));
    case 'iso':
      return new Date(ms).toISOString();
    default: {
      const p = zonedParts(ms, timeZone);
      const tokens: Record<string, string> = {
        YYYY: p.year,
        MM: p.month,
        DD: p.day,
        HH: p.hour,
        mm: p.minute,
        ss: p.second,
        SSS: p.SSS,
      };
      return arg.replace(/YYYY|MM|DD|HH|mm|ss|SSS/g, (t) => tokens[t]);
    }
  }
}

function applyFormat(format: string, value: VariableValue, text: string | string[], o: BrowserOptions): string {
  const [id, ...args] = format.split(':');
  const list = Array.isArray(value) ? value.map(String) : undefined;
  const one = String(value);
  const quote = (v: string, q: string, esc: string): string => `${q}${v.split(q).join(esc)}${q}`;
  switch (id) {
    case 'raw':
      return one;
    case 'csv':
      return list ? list.join(',') : one;
    case 'pipe':
      return list ? list.join('|') : one;
    case 'sqlstring':
      return (list ?? [one]).map((v) => quote(v, "'", "''")).join(',');
    case 'singlequote':
      return (list ?? [one]).map((v) => quote(v, "'", "\\'")).join(',');
    case 'doublequote':
      return (list ?? [one]).map((v) => quote(v, '"', '\\"')).join(',');
    case 'json':
      return JSON.stringify(value);
    case 'glob':
      return list && list.length > 1 ? `{${list.join(',')}}` : one;
    case 'text':
      return Array.isArray(text) ? text.join(' + ') : text;
    case 'date':
      return formatDate(Number(one), args[0] ?? 'iso', o.timeZone ?? 'UTC');
    default:
      // An unknown format falls back to glob in Grafana.
      return list && list.length > 1 ? `{${list.join(',')}}` : one;
  }
}

const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

/** The dashboard's template service replace() with the PostgreSQL interpolateVariable; unknown names stay. */
export function interpolateTemplateVariables(sql: string, o: BrowserOptions): string {
  const span = o.range.to.getTime() - o.range.from.getTime();
  const builtins: Record<string, TemplateVariable> = {
    __interval: { value: formatJsInterval(o.intervalMs) },
    __interval_ms: { value: o.intervalMs },
    __from: { value: o.range.from.getTime() },
    __to: { value: o.range.to.getTime() },
    __range: { value: `${Math.round(span / 1000)}s` },
    __range_s: { value: Math.round(span / 1000) },
    __range_ms: { value: span },
  };
  if (o.searchFilter !== undefined) {
    builtins.__searchFilter = { value: o.searchFilter };
  }
  return sql.replace(VARIABLE, (match, v1, v2, fmt2, v3, fieldPath, fmt3) => {
    const name: string = v1 ?? v2 ?? v3;
    const format: string | undefined = fmt2 ?? fmt3;
    if (name === '__dashboard' && o.dashboard) {
      return fieldPath === 'uid' ? o.dashboard.uid : o.dashboard.title;
    }
    const variable = o.variables?.[name] ?? builtins[name];
    if (!variable) {
      return match;
    }
    let value = variable.value;
    const isAll = value === ALL || (Array.isArray(value) && value[0] === ALL);
    if (isAll) {
      if (variable.allValue) {
        return format === 'text' ? 'All' : variable.allValue;
      }
      value = variable.options ?? [];
    }
    const text = variable.text ?? (Array.isArray(value) ? value.map(String) : String(value));
    return format ? applyFormat(format, value, text, o) : interpolateVariable(value);
  });
}

/** rangeutil.secondsToHms, what the browser puts in $__interval (30s, 5m, 1h, 1d). */
export function formatJsInterval(ms: number): string {
  const s = ms / 1000;
  const steps: Array<[string, number]> = [
    ['y', Math.floor(s / 31536e3)],
    ['d', Math.floor((s % 31536e3) / 86400)],
    ['h', Math.floor(((s % 31536e3) % 86400) / 3600)],
    ['m', Math.floor((((s % 31536e3) % 86400) % 3600) / 60)],
    ['s', Math.floor((((s % 31536e3) % 86400) % 3600) % 60)],
    ['ms', Math.floor(s * 1000)],
  ];
  const hit = steps.find(([, n]) => n);
  return hit ? `${hit[1]}${hit[0]}` : 'less than a millisecond';
}

const INTERVAL_LADDER: Array<[number, number]> = [
  [10, 1],
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1500, 1e3],
  [3500, 2e3],
  [7500, 5e3],
  [12500, 1e4],
  [17500, 15e3],
  [25e3, 2e4],
  [45e3, 3e4],
  [9e4, 6e4],
  [21e4, 12e4],
  [45e4, 3e5],
  [75e4, 6e5],
  [105e4, 9e5],
  [15e5, 12e5],
  [27e5, 18e5],
  [54e5, 36e5],
  [9e6, 72e5],
  [162e5, 108e5],
  [324e5, 216e5],
  [864e5, 432e5],
  [6048e5, 864e5],
  [18144e5, 6048e5],
  [36288e5, 2592e6],
];

/** rangeutil.calculateInterval: the range over the resolution (maxDataPoints or panel width), rounded. */
export function calculateIntervalMs(range: TimeRange, resolution: number, minIntervalMs = 1): number {
  const raw = (range.to.getTime() - range.from.getTime()) / resolution;
  const hit = INTERVAL_LADDER.find(([below]) => raw < below);
  return Math.max(hit ? hit[1] : 31536e6, minIntervalMs);
}

// ---------------------------------------------------------------------------------------------------------------
// Both steps

export interface QueryOptions extends BrowserOptions, BackendOptions {
  /** Alert rules run in the backend only: no template variables, no browser built-ins. */
  alerting?: boolean;
}

/** rawSql as PostgreSQL receives it from Grafana for this range, interval and variables. */
export function grafanaSql(rawSql: string, o: QueryOptions): BackendResult {
  const browser = o.alerting ? rawSql : interpolateTemplateVariables(rawSql, o);
  return expandMacros(browser, o);
}
