import type { BuildOptions } from 'esbuild';

/**
 * What every esbuild bundle of ts/ for browsers shares (the package's browser entry, the playground):
 * the kernel builds imported by ts/browser.ts become Uint8Arrays inside the bundle.
 */
export const browserBundleOptions: BuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  loader: { '.wasm': 'binary' },
  logLevel: 'warning',
};
