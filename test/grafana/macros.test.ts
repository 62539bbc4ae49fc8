// The macro expander against Grafana's own expectations. Sources (grafana/grafana):
//   M  pkg/tsdb/grafana-postgresql-datasource/macros_test.go (TestMacroEngine, TestInterpolateSQLCommenter,
//      TestStripSQLComments): exact SQL text per macro;
//   S  pkg/tsdb/grafana-postgresql-datasource/testdata/**/*.golden.jsonc: executedQueryString of a real run;
//   E  sqleng/sql_engine.go (Interpolate, handleQueryError "interpolation failed: %w") and macros.go's errors;
//   V  public/app/plugins/datasource/grafana-postgresql-datasource/interpolationTruthTable.test.ts and
//      packages/grafana-sql/src/datasource/variable-interpolation.test.ts: template variables.
// Then PostgreSQL itself: what the expanded text selects, including the DATE-column trap.
import type { Client } from 'pg';
import { openTestDatabase, type TestDb } from '../harness/sql';
import {
  calculateIntervalMs,
  expandMacros,
  goFloat,
  grafanaSql,
  interpolateTemplateVariables,
  MacroError,
  stripSqlComments,
  type TemplateVariable,
  type TimeRange,
} from './macros';

const at = (iso: string): Date => new Date(iso);
// M: "Given a time range between 2018-04-12 00:00 and 2018-04-12 00:05" (18:00Z to 18:05Z).
const R2018: TimeRange = { from: at('2018-04-12T18:00:00Z'), to: at('2018-04-12T18:05:00Z') };
const expand = (sql: string, range = R2018, extra: { timescaledb?: boolean; intervalMs?: number } = {}): string =>
  expandMacros(sql, { range, intervalMs: extra.intervalMs ?? 60_000, timescaledb: extra.timescaledb }).sql;

describe('time macros (M: TestMacroEngine, 2018-04-12 18:00Z to 18:05Z)', () => {
  test('$__time(c) is c AS "time", also inside an aggregate', () => {
    expect(expand('select $__time(time_column)')).toBe('select time_column AS "time"');
    expect(expand('select min($__time(time_column))')).toBe('select min(time_column AS "time")');
  });

  test('$__timeEpoch(c) is extract(epoch from c) as "time" (macros.go; no golden case exists for it)', () => {
    expect(expand('select $__timeEpoch(t), v')).toBe('select extract(epoch from t) as "time", v');
  });

  test('$__timeFilter(c) is c BETWEEN two UTC RFC 3339 literals', () => {
    expect(expand('WHERE $__timeFilter(time_column)')).toBe(
      "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'"
    );
  });

  test('$__timeFrom() and $__timeTo() are the quoted literals', () => {
    expect(expand('select $__timeFrom()')).toBe("select '2018-04-12T18:00:00Z'");
    expect(expand('select $__timeTo()')).toBe("select '2018-04-12T18:05:00Z'");
  });

  test('$__timeGroup(c, 5m) buckets epoch seconds; $__timeGroupAlias adds AS "time"; spaces around args', () => {
    expect(expand("SELECT $__timeGroup(time_column,'5m')")).toBe(
      'SELECT floor(extract(epoch from time_column)/300)*300'
    );
    expect(expand("SELECT $__timeGroupAlias(time_column,'5m')")).toBe(
      'SELECT floor(extract(epoch from time_column)/300)*300 AS "time"'
    );
    expect(expand("$__timeGroup(time_column , '5m')")).toBe('floor(extract(epoch from time_column)/300)*300');
    expect(expand("$__timeGroupAlias(time_column , '5m')")).toBe(
      'floor(extract(epoch from time_column)/300)*300 AS "time"'
    );
  });

  test('$__timeGroup followed directly by a comma still adds AS "time" (pre-5.3 compatibility)', () => {
    expect(expand("SELECT $__timeGroup(time_column,'5m'), value")).toBe(
      'SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value'
    );
    expect(expand("SELECT $__timeGroup(time_column,'5m') as time, value")).toBe(
      'SELECT floor(extract(epoch from time_column)/300)*300 as time, value'
    );
    // S: table/time_group_compat_case1 and case2 (a space before the comma: no alias).
    expect(expand('SELECT $__timeGroup("t",5m,NULL),avg(v) FROM tbl GROUP BY 1')).toBe(
      'SELECT floor(extract(epoch from "t")/300)*300 AS "time",avg(v) FROM tbl GROUP BY 1'
    );
    expect(expand('SELECT $__timeGroup("t",5m,NULL) ,avg(v) FROM tbl GROUP BY 1')).toBe(
      'SELECT floor(extract(epoch from "t")/300)*300 ,avg(v) FROM tbl GROUP BY 1'
    );
  });

  test('$__timeGroup with TimescaleDB is time_bucket with seconds to three decimals (5m, 12d, 20ms)', () => {
    const ts = (sql: string): string => expand(sql, R2018, { timescaledb: true });
    expect(ts("GROUP BY $__timeGroup(time_column,'5m')")).toBe("GROUP BY time_bucket('300.000s',time_column)");
    expect(ts("GROUP BY $__timeGroup(time_column , '5m')")).toBe("GROUP BY time_bucket('300.000s',time_column)");
    expect(ts("GROUP BY $__timeGroup(time_column , '12d')")).toBe("GROUP BY time_bucket('1036800.000s',time_column)");
    expect(ts("GROUP BY $__timeGroup(time_column , '20ms')")).toBe("GROUP BY time_bucket('0.020s',time_column)");
  });

  test("$__timeGroup's fill argument (S: fill_value, fill_null, fill_previous) changes no SQL, only the result", () => {
    const run = (fill: string): ReturnType<typeof expandMacros> =>
      expandMacros(`SELECT $__timeGroup("time",5m,${fill}),c,avg(v) AS "v" FROM tbl GROUP BY 1,2 ORDER BY 1,2`, {
        range: R2018,
        intervalMs: 1000,
      });
    const executed =
      'SELECT floor(extract(epoch from "time")/300)*300 AS "time",c,avg(v) AS "v" FROM tbl GROUP BY 1,2 ORDER BY 1,2';
    expect(run('27')).toEqual({ sql: executed, fill: { mode: 'value', value: 27, intervalSeconds: 300 } });
    expect(run('NULL')).toEqual({ sql: executed, fill: { mode: 'null', intervalSeconds: 300 } });
    expect(run('previous')).toEqual({ sql: executed, fill: { mode: 'previous', intervalSeconds: 300 } });
    // E: sqleng.SetupFillmode: anything else must parse as a float.
    expect(() => run('zero')).toThrow('interpolation failed: error parsing fill value zero');
  });

  test('a day-or-longer $__timeGroup prints its seconds as Go %v does (1d = 86400, 12d = 1.0368e+06)', () => {
    expect(expand("$__timeGroup(t, '1d')")).toBe('floor(extract(epoch from t)/86400)*86400');
    expect(expand("$__timeGroup(t, '12d')")).toBe('floor(extract(epoch from t)/1.0368e+06)*1.0368e+06');
    expect(goFloat(0.02)).toBe('0.02');
    expect(goFloat(2e-5)).toBe('2e-05');
  });

  test('$__unixEpochFilter(c) compares epoch seconds; $__unixEpochFrom()/To() are the numbers', () => {
    expect(expand('select $__unixEpochFilter(time)')).toBe('select time >= 1523556000 AND time <= 1523556300');
    expect(expand('select $__unixEpochFrom(), $__unixEpochTo()')).toBe('select 1523556000, 1523556300');
  });

  test('$__unixEpochNanoFilter/From/To use nanoseconds', () => {
    expect(expand('select $__unixEpochNanoFilter(time)')).toBe(
      'select time >= 1523556000000000000 AND time <= 1523556300000000000'
    );
    expect(expand('select $__unixEpochNanoFrom()')).toBe('select 1523556000000000000');
    expect(expand('select $__unixEpochNanoTo()')).toBe('select 1523556300000000000');
  });

  test('$__unixEpochGroup(expr, 5m) and its Alias wrap the expression in parentheses', () => {
    expect(expand("SELECT $__unixEpochGroup(time_column+time_adjustment,'5m')")).toBe(
      'SELECT floor((time_column+time_adjustment)/300)*300'
    );
    expect(expand("SELECT $__unixEpochGroupAlias(time_column+time_adjustment,'5m')")).toBe(
      'SELECT floor((time_column+time_adjustment)/300)*300 AS "time"'
    );
  });

  test('ranges before 1970 and with half seconds (M: 1960 to 1965/1980, 07:00:00.5)', () => {
    const r = { from: at('1960-02-01T07:00:00Z'), to: at('1965-02-03T08:00:00Z') };
    expect(expand('WHERE $__timeFilter(time_column)', r)).toBe(
      "WHERE time_column BETWEEN '1960-02-01T07:00:00Z' AND '1965-02-03T08:00:00Z'"
    );
    expect(expand('select $__unixEpochFilter(time)', r)).toBe('select time >= -312915600 AND time <= -154886400');
    expect(expand('select $__unixEpochNanoFilter(time)', r)).toBe(
      'select time >= -312915600000000000 AND time <= -154886400000000000'
    );
    const half = { from: at('1960-02-01T07:00:00.5Z'), to: at('1980-02-03T08:00:00.5Z') };
    expect(expand('WHERE $__timeFilter(time_column)', half)).toBe(
      "WHERE time_column BETWEEN '1960-02-01T07:00:00.5Z' AND '1980-02-03T08:00:00.5Z'"
    );
  });
});

describe('$__interval, comments and errors', () => {
  test('$__interval and $__interval_ms are the query interval (M: TestInterpolateSQLCommenter, 10m)', () => {
    expect(expand("SELECT $__interval /*app='grafana',source='bi'*/", R2018, { intervalMs: 600_000 })).toBe(
      "SELECT 10m /*app='grafana',source='bi'*/"
    );
    expect(expand('SELECT $__interval_ms, $__interval', R2018, { intervalMs: 90_000 })).toBe('SELECT 90000, 1m');
  });

  test('a macro inside a comment is never evaluated (M: the tag with a macro is stripped)', () => {
    expect(expand("SELECT 1 /*i='$__interval'*/", R2018, { intervalMs: 600_000 })).toBe('SELECT 1 ');
    expect(expand("SELECT 1 /*k='$__timeFilter(t'*/ WHERE (x = 1)")).toBe('SELECT 1  WHERE (x = 1)');
    expect(expand('SELECT 1 -- $__nope(x)\nFROM t')).toBe('SELECT 1 \nFROM t');
  });

  test.each([
    ['SELECT 1 -- a comment', 'SELECT 1 '],
    ['SELECT /* a comment */ 1', 'SELECT  1'],
    ['SELECT /*\n  multiline\n  comment\n*/ 1', 'SELECT  1'],
    ["SELECT '-- not a comment' AS label", "SELECT '-- not a comment' AS label"],
    ["SELECT '/* not a comment */' AS label", "SELECT '/* not a comment */' AS label"],
    ['SELECT "col -- name" FROM t', 'SELECT "col -- name" FROM t'],
    ["SELECT 'it''s fine -- not a comment' AS v", "SELECT 'it''s fine -- not a comment' AS v"],
    ['SELECT "col ""-- name""" FROM t', 'SELECT "col ""-- name""" FROM t'],
    ["SELECT '-- in string' AS a -- real comment", "SELECT '-- in string' AS a "],
    ['SELECT $$ -- not a comment $$', 'SELECT $$ -- not a comment $$'],
    ['SELECT $body$ -- not a comment $body$', 'SELECT $body$ -- not a comment $body$'],
    ['SELECT $__timeFrom() -- comment', 'SELECT $__timeFrom() '],
    ['SELECT $1 -- comment', 'SELECT $1 '],
    [
      "SELECT 1 AS value\n/*application='grafana',source='bi',route='test',feature='repro'*/;",
      "SELECT 1 AS value\n/*application='grafana',source='bi',route='test',feature='repro'*/;",
    ],
    ["SELECT 1 /*range='$__timeFilter(t)'*/", 'SELECT 1 '],
  ])('comments are stripped quote-aware (M: TestStripSQLComments) %#', (input, output) => {
    expect(stripSqlComments(input)).toBe(output);
  });

  test('an unknown macro fails the query as Grafana reports it: interpolation failed: unknown macro "__name"', () => {
    expect(() => expand('SELECT * FROM t WHERE $__timeFilterr(t)')).toThrow(
      new MacroError('unknown macro "__timeFilterr"')
    );
    expect(() => expand('SELECT $__dateFilter(d)')).toThrow('interpolation failed: unknown macro "__dateFilter"');
    // Every $name( is a macro call to Grafana, not only $__ ones.
    expect(() => expand('SELECT $foo(1)')).toThrow('unknown macro "foo"');
  });

  test('a macro missing its arguments fails with macros.go message', () => {
    expect(() => expand('$__timeGroup(t)')).toThrow(
      'macro __timeGroup needs time column and interval and optional fill value'
    );
    expect(() => expand("$__timeGroup(t, 'soon')")).toThrow("error parsing interval 'soon'");
  });

  test('the interval the browser asks for: range over resolution, rounded to a nice step', () => {
    const day = { from: at('2025-06-14T16:55:00Z'), to: at('2025-06-15T16:55:00Z') };
    expect(calculateIntervalMs(day, 1000)).toBe(60_000);
    expect(calculateIntervalMs({ from: at('2025-06-08T16:55:00Z'), to: day.to }, 1000)).toBe(600_000);
    expect(calculateIntervalMs(day, 1000, 3_600_000)).toBe(3_600_000);
  });
});

describe('template variables as the PostgreSQL data source interpolates them (V)', () => {
  const vars: Record<string, TemplateVariable> = {
    host: { value: 'server01' },
    threshold: { value: 150 },
    hosts: { value: ['srv1', 'srv2'], multi: true },
    latency: { value: [50, 75], multi: true },
    hostname: { value: ['app1'], multi: true },
    region: { value: '$__all', includeAll: true, allValue: '*' },
    regions: { value: '$__all', includeAll: true, options: ['us', 'eu'] },
    user: { value: "O'Brien" },
    users: { value: ["O'Brien", "D'Angelo"], multi: true },
  };
  const v = (sql: string): string =>
    interpolateTemplateVariables(sql, { range: R2018, intervalMs: 60_000, variables: vars });

  test.each([
    ['SELECT * FROM h WHERE host = $host', 'SELECT * FROM h WHERE host = server01'],
    ["SELECT * FROM h WHERE host = '$host'", "SELECT * FROM h WHERE host = 'server01'"],
    ['SELECT * FROM l WHERE ms < $threshold', 'SELECT * FROM l WHERE ms < 150'],
    ['SELECT * FROM h WHERE host IN ($hosts)', "SELECT * FROM h WHERE host IN ('srv1','srv2')"],
    ['SELECT * FROM h WHERE host IN (${hosts:sqlstring})', "SELECT * FROM h WHERE host IN ('srv1','srv2')"],
    ["SELECT * FROM h WHERE host IN ('$hosts')", "SELECT * FROM h WHERE host IN (''srv1','srv2'')"],
    ['SELECT * FROM l WHERE ms IN (${latency:csv})', 'SELECT * FROM l WHERE ms IN (50,75)'],
    ['SELECT * FROM h WHERE hostname = $hostname', "SELECT * FROM h WHERE hostname = 'app1'"],
    ['SELECT * FROM r WHERE region IN ($region)', 'SELECT * FROM r WHERE region IN (*)'],
    ["SELECT * FROM r WHERE region IN ('$region')", "SELECT * FROM r WHERE region IN ('*')"],
    ['SELECT * FROM r WHERE region IN ($regions)', "SELECT * FROM r WHERE region IN ('us','eu')"],
    ["SELECT * FROM u WHERE name = '$user'", "SELECT * FROM u WHERE name = 'O''Brien'"],
    ['SELECT * FROM u WHERE name IN ($users)', "SELECT * FROM u WHERE name IN ('O''Brien','D''Angelo')"],
    ['SELECT ${host}, [[host]], ${host:raw}', 'SELECT server01, server01, server01'],
    [
      'SELECT * FROM m WHERE $__timeFilter(ts) AND h IN ($hosts)',
      "SELECT * FROM m WHERE $__timeFilter(ts) AND h IN ('srv1','srv2')",
    ],
    ['SELECT $undefined_var, $1', 'SELECT $undefined_var, $1'],
  ])('%s', (raw, expected) => {
    expect(v(raw)).toBe(expected);
  });

  test('built-ins: $__interval (browser form), $__interval_ms, $__from/$__to in ms and as dates', () => {
    const r = { from: at('2025-06-14T16:55:00Z'), to: at('2025-06-15T16:55:00Z') };
    const sql = interpolateTemplateVariables(
      "$__interval $__interval_ms $__from ${__to:date:iso} ${__from:date:seconds} '${__from:date:YYYY-MM-DD}'",
      { range: r, intervalMs: 60_000, timeZone: 'Asia/Bangkok' }
    );
    expect(sql).toBe("1m 60000 1749920100000 2025-06-15T16:55:00.000Z 1749920100 '2025-06-14'");
    expect(
      interpolateTemplateVariables('${__from:date:YYYY-MM-DD}', {
        range: { from: at('2025-06-14T17:05:00Z'), to: r.to },
        intervalMs: 1,
        timeZone: 'Asia/Bangkok',
      })
    ).toBe('2025-06-15');
  });

  test('alert rules skip the browser: a variable reaches the macro engine untouched', () => {
    expect(grafanaSql('SELECT $host', { range: R2018, intervalMs: 1000, variables: vars, alerting: true }).sql).toBe(
      'SELECT $host'
    );
    expect(grafanaSql('SELECT $host', { range: R2018, intervalMs: 1000, variables: vars }).sql).toBe('SELECT server01');
  });
});

describe('the expanded SQL in PostgreSQL', () => {
  let db: TestDb;
  let c: Client;
  beforeAll(async () => {
    db = await openTestDatabase('grafana_macros');
    c = await db.session();
    // S: the golden files' table, loaded as time_group_compat_case1 and fill_value load it.
    await c.query(`CREATE TABLE tbl ("time" timestamptz, t timestamptz, v float8, c text);
      INSERT INTO tbl ("time", t, v, c) VALUES
        ('2023-12-24 14:21:03 UTC', '2023-12-24 14:30:03 UTC', 10, 'a'), ('2023-12-24 14:23:03 UTC', NULL, 20, 'a'),
        ('2023-12-24 14:39:03 UTC', NULL, 50, 'a'), ('2023-12-24 14:21:03 UTC', NULL, 110, 'b'),
        ('2023-12-24 14:23:03 UTC', NULL, 120, 'b'), ('2023-12-24 14:39:03 UTC', NULL, 150, 'b');
      CREATE TABLE tbl2 (t timestamptz, v float8);
      INSERT INTO tbl2 VALUES ('2023-12-24 14:30:03 UTC', 42);
      CREATE TABLE sales_day (d date PRIMARY KEY, revenue numeric);
      INSERT INTO sales_day VALUES ('2025-06-14', 100), ('2025-06-15', 200), ('2025-06-16', 400);`);
  });
  afterAll(() => db.close());

  const run = async (sql: string, range: TimeRange): Promise<Array<Record<string, unknown>>> =>
    (await c.query(expandMacros(sql, { range, intervalMs: 60_000 }).sql)).rows;

  test('S: fill_value buckets to the golden rows before filling (14:20 a=15 b=115, 14:35 a=50 b=150)', async () => {
    const golden = 'SELECT $__timeGroup("time",5m,27),c,avg(v) AS "v" FROM tbl GROUP BY 1,2 ORDER BY 1,2';
    const rows = await run(`SELECT "time"::float8 AS time, c, v FROM (${golden}) g`, R2018);
    expect(rows).toEqual([
      { time: 1703427600, c: 'a', v: 15 },
      { time: 1703427600, c: 'b', v: 115 },
      { time: 1703428500, c: 'a', v: 50 },
      { time: 1703428500, c: 'b', v: 150 },
    ]);
  });

  test('S: time_group_compat_case1 returns the golden row: a "time" column 1703428200 and avg 42', async () => {
    const golden = 'SELECT $__timeGroup("t",5m,NULL),avg(v) FROM tbl2 GROUP BY 1';
    expect(await run(`SELECT "time"::float8 AS time, avg FROM (${golden}) g`, R2018)).toEqual([
      { time: 1703428200, avg: 42 },
    ]);
  });

  // A Bangkok "today" (2025-06-15 local) is 2025-06-14T17:00Z to 2025-06-15T16:59:59.999Z in Grafana's range.
  const bangkokToday = { from: at('2025-06-14T17:00:00Z'), to: at('2025-06-15T16:59:59.999Z') };

  test('DATE column: $__timeFilter(d) over a Bangkok "today" also selects yesterday (the UTC date of from)', async () => {
    const sql = expandMacros('SELECT d::text FROM sales_day WHERE $__timeFilter(d) ORDER BY d', {
      range: bangkokToday,
      intervalMs: 60_000,
    }).sql;
    expect(sql).toBe(
      "SELECT d::text FROM sales_day WHERE d BETWEEN '2025-06-14T17:00:00Z' AND '2025-06-15T16:59:59.999Z' ORDER BY d"
    );
    // The literals become dates by dropping the time of day, with no time-zone conversion, whatever the session zone.
    for (const zone of ['UTC', 'Asia/Bangkok', 'America/New_York']) {
      await c.query(`SET TimeZone = '${zone}'`);
      expect((await c.query(sql)).rows.map((r) => r.d)).toEqual(['2025-06-14', '2025-06-15']);
    }
    await c.query('RESET TimeZone');
  });

  test('DATE column: converting the range to Bangkok local dates selects only today', async () => {
    const rows = await run(
      `SELECT d::text FROM sales_day
       WHERE d BETWEEN ($__timeFrom()::timestamptz AT TIME ZONE 'Asia/Bangkok')::date
                   AND ($__timeTo()::timestamptz AT TIME ZONE 'Asia/Bangkok')::date ORDER BY d`,
      bangkokToday
    );
    expect(rows.map((r) => r.d)).toEqual(['2025-06-15']);
  });

  test('$__unixEpochFilter and $__timeGroupAlias run as they read (epoch numbers and a "time" column)', async () => {
    const rows = await run(
      `SELECT "time"::float8 AS time, v FROM (
         SELECT $__timeGroupAlias("time", '1h'), sum(v)::float8 AS v
         FROM (SELECT "time", extract(epoch from "time") AS epoch, v FROM tbl) t
         WHERE epoch >= $__unixEpochFrom() AND $__unixEpochFilter(epoch)
         GROUP BY 1) g`,
      { from: at('2023-12-24T14:00:00Z'), to: at('2023-12-24T15:00:00Z') }
    );
    expect(rows).toEqual([{ time: 1703426400, v: 460 }]);
  });

  test('a macro argument cannot hold parentheses: Grafana cuts it at the first ")" and PostgreSQL fails', async () => {
    const sql = expand('SELECT count(*) FROM tbl WHERE $__unixEpochFilter(extract(epoch from "time"))');
    expect(sql).toBe(
      'SELECT count(*) FROM tbl WHERE extract(epoch from "time" >= 1523556000 AND extract(epoch from "time" <= 1523556300)'
    );
    await expect(c.query(sql)).rejects.toThrow(/syntax error/);
  });
});
