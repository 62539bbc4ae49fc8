// How tests start the real refresh service as `npm run server` runs it (server/src/server.ts under tsx),
// with nothing from the developer's machine: an environment of only what Node and tsx need plus what the
// test gives (an ambient READ_SECRET_FILE or PGPASSWORD, which pg reads, neither changes nor breaks the
// start), and an empty working folder, since server.ts loads a .env from its working directory.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './runMigrations';

export interface ServiceLaunch {
  spawn(stdio?: StdioOptions): ChildProcess;
  /** Removes the working folder (after the last child has exited). */
  cleanup(): void;
}

export function serviceLaunch(env: Record<string, string>): ServiceLaunch {
  // tsx needs no NODE_* or npm_config_* variable; TMPDIR is where it keeps its compile cache.
  const ambient = Object.fromEntries(
    ['PATH', 'HOME', 'TMPDIR'].flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : []))
  );
  // Away from the repository, `--import tsx` and tsx's tsconfig lookup would not find the repository's:
  // both are given as paths, so the service compiles as `npm run server` compiles it.
  const tsxLoader = pathToFileURL(createRequire(join(REPO_ROOT, 'package.json')).resolve('tsx')).href;
  const cwd = mkdtempSync(join(tmpdir(), 'matviewops-service-'));
  const fullEnv = { ...ambient, TSX_TSCONFIG_PATH: join(REPO_ROOT, 'tsconfig.json'), ...env };
  return {
    spawn: (stdio: StdioOptions = ['ignore', 'pipe', 'pipe']) =>
      spawn(process.execPath, ['--import', tsxLoader, join(REPO_ROOT, 'server/src/server.ts')], {
        cwd,
        env: fullEnv,
        stdio,
      }),
    cleanup: () => rmSync(cwd, { recursive: true, force: true }),
  };
}
