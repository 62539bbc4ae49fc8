// Applies the migrations through the real CLI (npm run db:migrate), exactly as an operator would.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const REPO_ROOT = resolve(__dirname, '../..');

export async function runMigrationCli(databaseUrl: string): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', resolve(REPO_ROOT, 'server/src/cli/db-migrate.ts'), '--database-url', databaseUrl],
      { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: '' }, timeout: 120_000 }
    );
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}
