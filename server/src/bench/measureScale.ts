// One scale of a benchmark on a migrated database: seeded, a full refresh, then every scenario, then the pack's
// other measurements (sales: the 15-minute batch's refresh and the write path). runScale migrates first.
import { Client } from 'pg';
import { seeders } from '../seed/packs';
import { measure, measureFresh } from './measure';
import { refreshPack } from './refreshPack';
import type { ScaleResult, ScenarioResult } from './report';
import type { BenchPack } from './types';

export const BENCH_SEED = 42;

export async function measureScale(
  url: string,
  pack: string,
  scale: number,
  bench: BenchPack,
  log: (line: string) => void
): Promise<ScaleResult> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const seedStarted = Date.now();
    const seeded = await seeders[pack].seed(c, { scale, seed: BENCH_SEED, endToday: bench.endToday, progress: log });
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    log(`${pack} x${scale}: full refresh of every view`);
    // Failed views throw: figures measured on a half-refreshed pack would mean nothing.
    const full = await refreshPack(c, pack, 'manual');
    const refreshByView = Object.fromEntries(full.views.map((v) => [v.view, v.durationMs ?? 0]));
    await c.query('ANALYZE');
    const results: ScenarioResult[] = [];
    for (const s of await bench.scenarios(c)) {
      log(`${pack} x${scale}: ${s.name} (views)`);
      const mv = await measure(c, s.mvSql);
      // After the warm runs, so shared buffers hold the data and only the new sessions' caches are cold.
      const mvFresh = s.freshSession ? await measureFresh(url, s.mvSql) : undefined;
      log(`${pack} x${scale}: ${s.name} (live)`);
      const live = await measure(c, s.liveSql);
      log(
        `${pack} x${scale}: ${s.name}: views ${mv.medianMs.toFixed(2)} ms / ${mv.sharedBuffers} buffers` +
          (mvFresh ? ` (new session ${mvFresh.totalBuffers} buffers incl. planning)` : '') +
          `, live ${live.medianMs.toFixed(1)} ms / ${live.sharedBuffers} buffers`
      );
      results.push({ name: s.name, mv, live, ...(mvFresh ? { mvFresh } : {}) });
    }
    const extra = bench.extra
      ? await bench.extra({ url, client: c, scale, seed: BENCH_SEED, sourceRows: seeded.rows, log })
      : {};
    return {
      scale,
      sourceRows: seeded.rows,
      seedSeconds,
      refreshMs: Object.values(refreshByView).reduce((a, b) => a + b, 0),
      refreshByView,
      scenarios: results,
      ...extra,
    };
  } finally {
    await c.end();
  }
}
