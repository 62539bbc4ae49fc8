// The benchmark of each pack.
import { funeralScenarios } from './funeral';
import { salesBench } from './sales';
import type { BenchPack } from './types';

export const benchPacks: Record<string, BenchPack> = {
  sales: salesBench,
  funeral: { scenarios: async () => funeralScenarios },
};
