// npm run build:plugin builds the app and its nested panel with create-plugin's official webpack config
// into plugin/dist.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../harness/runMigrations';

jest.setTimeout(300_000);

const dist = resolve(REPO_ROOT, 'plugin/dist');

describe('npm run build:plugin', () => {
  test('puts module.js and plugin.json of the app and of the nested refresh panel into plugin/dist', async () => {
    rmSync(dist, { recursive: true, force: true });
    await promisify(execFile)('npm', ['run', '-s', 'build:plugin'], {
      cwd: REPO_ROOT,
      timeout: 280_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    const built = [
      { folder: '.', id: 'matviewops-app', type: 'app' },
      { folder: 'refresh-panel', id: 'matviewops-refresh-panel', type: 'panel' },
    ];
    for (const { folder, id, type } of built) {
      expect(existsSync(resolve(dist, folder, 'module.js'))).toBe(true);
      const manifest = JSON.parse(readFileSync(resolve(dist, folder, 'plugin.json'), 'utf8'));
      expect(manifest).toMatchObject({ id, type });
      // The build fills in what the source leaves as placeholders.
      expect(manifest.info.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(manifest.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    // Grafana loads a nested plugin only when the app lists it.
    const app = JSON.parse(readFileSync(resolve(dist, 'plugin.json'), 'utf8'));
    expect(app.includes).toContainEqual(expect.objectContaining({ type: 'panel', name: 'Materialized view refresh' }));
  });
});
