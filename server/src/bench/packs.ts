// The benchmark scenarios of each pack.
import { funeralScenarios } from './funeral';
import { salesScenarios } from './sales';
import type { BenchScenario } from './types';

export const benchScenarios: Record<string, BenchScenario[]> = {
  sales: salesScenarios,
  funeral: funeralScenarios,
};
