import { createBackend, type CreateBackendOptions, type WasmSources } from './backend/index.js';
import type { Backend } from './backend/backend.js';
import type { BackendName } from './backend/types.js';
// Inlined by esbuild's binary loader when the package (or the playground) is built, so a
// consumer's bundler needs no loader, no copied .wasm files and no path (rapier's "-compat" way).
import simdBytes from '../wasm/wasmgrad-simd.wasm';
import scalarBytes from '../wasm/wasmgrad-scalar.wasm';
import threadsBytes from '../wasm/wasmgrad-threads.wasm';
import { spawnWebWorker } from './backend/wasm/spawn-web.js';

export * from './api.js';

export const inlineWasmSources: WasmSources = {
  simd: () => simdBytes,
  scalar: () => scalarBytes,
  threads: { bytes: () => threadsBytes as Uint8Array<ArrayBuffer>, spawn: spawnWebWorker, cores: globalThis.navigator?.hardwareConcurrency },
};

/** A backend by name, with the kernel builds that are part of this bundle. */
export function loadBackend(name: BackendName, options?: CreateBackendOptions): Promise<Backend> {
  return createBackend(name, inlineWasmSources, options);
}
