// npm run build:plugin builds the app with create-plugin's official webpack config into plugin/dist.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../harness/runMigrations';

jest.setTimeout(300_000);

const dist = resolve(REPO_ROOT, 'plugin/dist');

describe('npm run build:plugin', () => {
  test('produces plugin/dist/module.js and plugin/dist/plugin.json with id matviewops-app', async () => {
    rmSync(dist, { recursive: true, force: true });
    await promisify(execFile)('npm', ['run', '-s', 'build:plugin'], {
      cwd: REPO_ROOT,
      timeout: 280_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    expect(existsSync(resolve(dist, 'module.js'))).toBe(true);
    const manifest = JSON.parse(readFileSync(resolve(dist, 'plugin.json'), 'utf8'));
    expect(manifest).toMatchObject({ id: 'matviewops-app', type: 'app' });
    // The build fills in what the source leaves as placeholders.
    expect(manifest.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
