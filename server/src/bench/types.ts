// A benchmark scenario: the same question answered from the materialized views and live from the
// source tables, so one run measures both on the same data. A pack's benchmark: its scenarios, and what
// else it measures on the same database.
import type { Client } from 'pg';
import type { ScaleResult } from './report';

export interface BenchScenario {
  pack: string;
  name: string;
  /** SQL text of the materialized-view path (parameters inlined; run under EXPLAIN (ANALYZE, BUFFERS)). */
  mvSql: string;
  /** SQL text of the live path computing the same result from the source tables. */
  liveSql: string;
  /** Also measure the view path's first call in new sessions (cold catalog caches): a dashboard opening. */
  freshSession?: boolean;
}

/** What a pack's extra measurements are given: the database, seeded, refreshed and measured. */
export interface BenchContext {
  /** The database's URL, for measurements that need sessions of their own. */
  url: string;
  client: Client;
  scale: number;
  seed: number;
  sourceRows: Record<string, number>;
  log: (line: string) => void;
}

export interface BenchPack {
  /** Seeded with endToday (sales): the data's last day is today in the venue's time zone. */
  endToday?: boolean;
  /** The scenarios, given the seeded database (their dates may depend on the data). */
  scenarios(client: Client): Promise<BenchScenario[]>;
  /** Measurements after the scenarios, on the same database; they may change its data. */
  extra?(ctx: BenchContext): Promise<Pick<ScaleResult, 'incremental' | 'writePath'>>;
}
