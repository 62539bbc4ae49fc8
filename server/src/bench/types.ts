// A benchmark scenario: the same question answered from the materialized views and live from the
// source tables, so one run measures both on the same data.
export interface BenchScenario {
  pack: string;
  name: string;
  /** SQL text of the materialized-view path (parameters inlined; run under EXPLAIN (ANALYZE, BUFFERS)). */
  mvSql: string;
  /** SQL text of the live path computing the same result from the source tables. */
  liveSql: string;
}
