// Two Jest projects: `plugin` (React, jsdom) and `node` (server and database tests).
// Run one with `npx jest --selectProjects plugin|node`.
const path = require('path');
const grafanaJest = require('./plugin/.config/jest.config');
const { grafanaESModules, nodeModulesToTransform } = require('./plugin/.config/jest/utils');

// The scaffold's swc transform, reused for .mjs files: @grafana/* 13.x pulls in ESM-only .mjs (d3-*).
const [swcTransform] = Object.values(grafanaJest.transform);

const plugin = {
  ...grafanaJest,
  displayName: 'plugin',
  // The scaffold's <rootDir> paths (src, jest-setup.js) are relative to the plugin folder.
  rootDir: path.join(__dirname, 'plugin'),
  roots: ['<rootDir>/src'],
  setupFiles: ['<rootDir>/jest-polyfills.js'],
  transform: { '^.+\\.(mjs|[tj]sx?)$': swcTransform },
  // ESM-only packages that @grafana/data and @grafana/ui 13.x depend on, beyond the scaffold's list.
  transformIgnorePatterns: [nodeModulesToTransform([...grafanaESModules, '@react-hookz', '@ver0'])],
};

const node = {
  displayName: 'node',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Playwright specs live in test/e2e (`npm run e2e`) and test/browser (`npm run test:browser`), never under Jest.
  testPathIgnorePatterns: ['<rootDir>/test/e2e/', '<rootDir>/test/browser/'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  globalSetup: '<rootDir>/test/harness/globalSetup.ts',
  globalTeardown: '<rootDir>/test/harness/globalTeardown.ts',
};

module.exports = { projects: [plugin, node] };
