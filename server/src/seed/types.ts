// What every pack's demo-data generator implements; the db:seed CLI dispatches on the pack name.
import type { Client } from 'pg';

export interface SeedOptions {
  /** Volume multiplier: 1 matches the seed document's volume. */
  scale: number;
  /** Pseudo-random seed: the same value always produces the same rows. */
  seed: number;
  /**
   * Sales: the data's last day is today in the venue's time zone instead of the fixed 2024-03-16 to 2025-07-06,
   * so dashboards' default time ranges show data. (The funeral pack is always relative to today.)
   */
  endToday?: boolean;
  /** Called with a human-readable step ("sales: 40% (5,800 of 14,500 rows)"). */
  progress: (line: string) => void;
}

export interface SeedResult {
  /** Rows written per table, for the CLI's summary. */
  rows: Record<string, number>;
}

export interface PackSeeder {
  pack: string;
  /** Replaces the pack's source data with a deterministic data set, set-based in SQL. */
  seed(client: Client, options: SeedOptions): Promise<SeedResult>;
}
