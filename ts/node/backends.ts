import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { createBackend, type CreateBackendOptions, type WasmSources } from '../backend/index.js';
import type { Backend } from '../backend/backend.js';
import type { BackendName } from '../backend/types.js';
import { spawnNodeWorker } from './spawn-worker.js';

/**
 * The committed kernel builds, read from the package's wasm/ folder: two levels up from this module
 * both in the source (ts/node/) and in the published bundle (dist/node/index.js, scripts/build.ts).
 */
const wasmDir = new URL('../../wasm/', import.meta.url);

export const nodeWasmSources: WasmSources = {
  simd: () => readFile(new URL('wasmgrad-simd.wasm', wasmDir)),
  scalar: () => readFile(new URL('wasmgrad-scalar.wasm', wasmDir)),
  threads: { bytes: () => readFile(new URL('wasmgrad-threads.wasm', wasmDir)), spawn: spawnNodeWorker, cores: availableParallelism() },
};

/** A backend by name, with the kernel files read from disk. */
export function loadBackend(name: BackendName, options?: CreateBackendOptions): Promise<Backend> {
  return createBackend(name, nodeWasmSources, options);
}
