// npm run build: the package's dist/ —
//   dist/browser.js     ESM for browsers (and any engine without a file system), kernels inlined
//   dist/node/index.js  ESM for Node; reads the kernels from the package's wasm/ folder
//   dist/cli/wasmgrad.js  the bin (`npx wasmgrad train|sample|bench`), plain JavaScript: no tsx at run time
//   dist/types/         .d.ts of ts/ (tsc --emitDeclarationOnly -p tsconfig.build.json)
//   dist/wasm/wasmgrad-kernels.d.ts   wasm-bindgen's types of the kernels, which dist/types/ imports
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { browserBundleOptions } from './esbuild-shared.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
await build({ ...browserBundleOptions, entryPoints: [join(root, 'ts/browser.ts')], outfile: join(dist, 'browser.js') });
// Two folders deep on purpose: ts/node/backends.ts finds wasm/ at '../../wasm/' from its own URL,
// which holds for the source (ts/node/) and for this bundle (dist/node/) alike.
const nodeBundle = { bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' } as const;
await build({ ...nodeBundle, entryPoints: [join(root, 'ts/node/index.ts')], outfile: join(dist, 'node', 'index.js') });
// Also two folders deep, for the same reason (and ts/bench/pytorch.ts finds scripts/pytorch/ the same way).
await build({ ...nodeBundle, entryPoints: [join(root, 'ts/node/cli/wasmgrad.ts')], outfile: join(dist, 'cli', 'wasmgrad.js'), banner: { js: '#!/usr/bin/env node' } });
execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
// ts/backend/kernels.ts imports '../../wasm/wasmgrad-kernels.js'; from dist/types/backend/ that is dist/wasm/.
mkdirSync(join(dist, 'wasm'));
copyFileSync(join(root, 'wasm', 'wasmgrad-kernels.d.ts'), join(dist, 'wasm', 'wasmgrad-kernels.d.ts'));
console.log('build: dist/browser.js, dist/node/index.js, dist/cli/wasmgrad.js, dist/types/, dist/wasm/wasmgrad-kernels.d.ts');
