// The packs db:seed knows. Each pack adds its seeder here.
import { funeralSeeder } from './funeral';
import { salesSeeder } from './sales';
import type { PackSeeder } from './types';

export const seeders: Record<string, PackSeeder> = {
  sales: salesSeeder,
  funeral: funeralSeeder,
};
