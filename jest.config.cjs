/** jest runs the TypeScript sources through esbuild (test/esbuild-transform.cjs): no ts-jest/TS version coupling. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Chromium and `npm pack` tests run with `npm run test:browser` (jest.browser.config.cjs).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/'],
  transform: { '\\.ts$': '<rootDir>/test/esbuild-transform.cjs' },
  // Sources import './x.js' (ESM spelling); jest resolves the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 120000,
};
