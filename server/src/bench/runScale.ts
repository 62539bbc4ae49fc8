// One scale of a benchmark: a fresh database, migrated, then seeded and measured (measureScale.ts).
import { migrate } from '../db/migrate';
import { measureScale } from './measureScale';
import type { ScaleResult } from './report';
import type { BenchPack } from './types';

export async function runScale(
  url: string,
  pack: string,
  scale: number,
  bench: BenchPack,
  log: (line: string) => void
): Promise<ScaleResult> {
  await migrate(url, () => undefined);
  return measureScale(url, pack, scale, bench, log);
}
