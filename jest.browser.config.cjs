/**
 * `npm run test:browser`: the tests that need Chromium and `npm pack` (test/browser/). One at a
 * time: each builds, installs or launches a browser, and two at once would share two cores.
 */
const base = require('./jest.config.cjs');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/browser'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
  testTimeout: 300000,
};
