// Every picture the README shows exists in the repository, and the ones npm run docs:screenshots
// makes are all shown: a renamed or forgotten screenshot fails here, not in a reader's browser.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/runMigrations';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** Markdown images `![alt](path)` and HTML `<img src="path">` that point inside the repository. */
function localImages(markdown: string): string[] {
  const md = [...markdown.matchAll(/!\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
  const html = [...markdown.matchAll(/<img\s[^>]*src="([^"]+)"/g)].map((m) => m[1]);
  return [...md, ...html].filter((src) => !/^[a-z]+:\/\//i.test(src));
}

// The names test/browser/specs pass to shoot().
const SCREENSHOTS = [
  'views-page',
  'history-page',
  'settings-page',
  'panel-idle',
  'panel-running',
  'panel-succeeded',
  'panel-failed',
];

describe('README images', () => {
  const images = localImages(readme);

  test('every image the README references exists and is not empty', () => {
    expect(images.length).toBeGreaterThan(0);
    for (const src of images) {
      const path = join(REPO_ROOT, decodeURIComponent(src));
      expect({ src, exists: existsSync(path) }).toEqual({ src, exists: true });
      expect(statSync(path).size).toBeGreaterThan(1000);
    }
  });

  test('the README shows every screenshot npm run docs:screenshots makes', () => {
    for (const name of SCREENSHOTS) {
      expect(images).toContain(`docs/images/${name}.png`);
    }
  });
});
