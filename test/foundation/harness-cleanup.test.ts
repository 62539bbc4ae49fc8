import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startCluster } from '../harness/cluster';
import { freePort } from '../harness/freePort';
import { postmastersFor } from '../harness/processes';

jest.setTimeout(120_000);

const clusterDirs = (): string[] => readdirSync(tmpdir()).filter((d) => d.startsWith('matview-ops-pg-'));
/** The port a cluster directory was configured with (NaN before its configuration is written). */
const configuredPort = (dir: string): number => {
  try {
    const conf = readFileSync(join(tmpdir(), dir, 'data', 'postgresql.auto.conf'), 'utf8');
    return Number(/^port = (\d+)$/m.exec(conf)?.[1]);
  } catch {
    return NaN;
  }
};

describe('throwaway cluster harness', () => {
  test('stop() leaves no postmaster and no temp directory behind', async () => {
    const cluster = await startCluster({ cronDatabase: 'postgres' });
    expect(postmastersFor(cluster.dataDir)).toHaveLength(1);
    cluster.stop();
    expect(postmastersFor(cluster.dataDir)).toEqual([]);
    expect(existsSync(cluster.baseDir)).toBe(false);
  });

  test('a cluster that fails to start (port taken) cleans up its temp directory and throws', async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(port, '127.0.0.1', res));
    try {
      await expect(startCluster({ cronDatabase: 'postgres', port })).rejects.toThrow();
    } finally {
      blocker.close();
    }
    // Only this attempt's directory counts: other suites start clusters of their own meanwhile.
    expect(clusterDirs().filter((d) => configuredPort(d) === port)).toEqual([]);
  });

  test('a test process killed with SIGTERM still stops its cluster and removes the directory', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../harness/holdCluster.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((res, rej) => {
      child.stdout.once('data', (d: Buffer) => res(d.toString()));
      child.once('exit', (code) => rej(new Error(`holder exited early with ${code}`)));
    });
    const { baseDir, dataDir } = JSON.parse(line) as { baseDir: string; dataDir: string };
    expect(postmastersFor(dataDir)).toHaveLength(1);
    const exited = new Promise((res) => child.once('exit', res));
    child.kill('SIGTERM');
    await exited;
    expect(postmastersFor(dataDir)).toEqual([]);
    expect(existsSync(baseDir)).toBe(false);
  });
});
