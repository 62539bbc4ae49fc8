import { defineConfig } from 'eslint/config';
import scaffoldConfig from './plugin/.config/eslint.config.mjs';

// The scaffold's config expects ESLint to run inside plugin/: entries with `files` globs (src/**,
// tests/**) are re-based onto plugin/, while Grafana's shared rules (no `files`) cover the whole repo.
const pluginConfig = scaffoldConfig.map((entry) => (entry.files ? { ...entry, basePath: 'plugin' } : entry));

export default defineConfig([
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      '**/coverage/',
      'test-results/',
      'playwright-report/',
      'blob-report/',
      'playwright/.cache/',
      'playwright/.auth/',
      '**/.eslintcache',
    ],
  },
  ...pluginConfig,
  {
    // TypeScript outside the plugin; `files` is what makes ESLint pick these up at all.
    files: ['*.ts', 'server/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'provisioning/**/*.ts'],
  },
  {
    // Playwright fixtures are called `use`, which the React hooks rule mistakes for React's use().
    files: ['test/e2e/**/*.ts'],
    rules: {
      'react-hooks/rules-of-hooks': 'off',
    },
  },
]);
