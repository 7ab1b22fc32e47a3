import type { Backend } from './backend.js';
import { WasmgradError } from './errors.js';
import { JsBackend } from './js/index.js';
import type { BackendName } from './types.js';
import { BACKEND_NAMES } from './types.js';
import { WasmBackend, type WasmBytes, type WasmSource } from './wasm/index.js';
import { wasmSimdSupported } from './wasm/simd-support.js';
import type { SpawnWorker } from './wasm/pool.js';

/** Where the kernel builds come from: bytes read from disk (Node) or inlined (browsers). */
export interface WasmSources {
  simd: () => WasmSource | Promise<WasmSource>;
  scalar: () => WasmSource | Promise<WasmSource>;
  /**
   * The threads build's bytes, how this platform starts a worker, and the cores it says it has
   * (absent: one thread only).
   */
  threads?: { bytes: () => WasmBytes | Promise<WasmBytes>; spawn: SpawnWorker; cores?: number };
}

export interface CreateBackendOptions {
  /** Told when what was asked for cannot run here and something slower runs instead (default: console.warn). */
  onFallback?: (message: string) => void;
  /**
   * Threads wasm-simd's kernels run on, this one included (1 to 64). Results have the same bits
   * for any number. Default: every core, at most DEFAULT_MAX_THREADS, for wasm-simd; 1 for the
   * others. Needs SharedArrayBuffer (in a page: cross-origin isolation); where it cannot have
   * them, wasm-simd runs on 1 thread and onFallback says why.
   */
  threads?: number;
}

/** The most threads wasm-simd takes by default: past that, a small model's calls gain little more. */
export const DEFAULT_MAX_THREADS = 8;

/** The threads a backend gets when its options name none: every core (at most 8) for wasm-simd. */
export function defaultThreads(name: BackendName, sources: WasmSources): number {
  return name === 'wasm-simd' ? Math.max(1, Math.min(DEFAULT_MAX_THREADS, sources.threads?.cores ?? 1)) : 1;
}

/** Why this engine cannot run the threads build, or null if it can. */
function threadsUnavailable(sources: WasmSources): string | null {
  if (!sources.threads) return 'this build of wasmgrad has no threads build of the kernels';
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available here';
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false) return 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)';
  return null;
}

/**
 * Makes a backend by name. wasm-simd on an engine without WebAssembly SIMD falls back to
 * wasm-scalar, and says so through onFallback (default: console.warn).
 */
export async function createBackend(name: BackendName, sources: WasmSources, options: CreateBackendOptions = {}): Promise<Backend> {
  if (!BACKEND_NAMES.includes(name)) {
    throw new WasmgradError(`unknown backend '${name}'. Fix: use one of ${BACKEND_NAMES.join(', ')}.`);
  }
  const threads = options.threads ?? defaultThreads(name, sources);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new WasmgradError(`threads is ${threads}, but must be an integer from 1 to 64. Fix: pass e.g. threads: 2, or 1 for one thread.`);
  }
  if (threads > 1 && name !== 'wasm-simd') {
    throw new WasmgradError(`threads is ${threads}, but only wasm-simd runs on several threads (${name} runs on one). Fix: use wasm-simd, or threads: 1.`);
  }
  const warn = options.onFallback ?? ((m: string) => console.warn(m));
  if (name === 'js') return new JsBackend();
  if (threads > 1 && wasmSimdSupported()) {
    const why = threadsUnavailable(sources);
    if (!why) {
      try {
        return await WasmBackend.createThreaded(await sources.threads!.bytes(), threads, sources.threads!.spawn, sources.threads!.cores);
      } catch (e) {
        if (!(e instanceof WasmgradError) || !/worker failed to start/.test(e.message)) throw e;
        warn(`wasmgrad: ${e.message}; running on 1 thread.`);
      }
    } else {
      warn(`wasmgrad: ${why}; running on 1 thread.`);
    }
  }
  if (name === 'wasm-simd' && !wasmSimdSupported()) {
    warn(
      'wasmgrad: this JavaScript engine does not support WebAssembly SIMD; using wasm-scalar (slower). ' +
        'Fix: use Node ≥ 16.4 or a current Chrome, Firefox or Safari (16.4+).',
    );
    return WasmBackend.create(await sources.scalar(), 'wasm-scalar');
  }
  return WasmBackend.create(await (name === 'wasm-simd' ? sources.simd() : sources.scalar()), name);
}

export { Backend } from './backend.js';
export { Tensor, type DType } from './tensor.js';
export { WasmgradError } from './errors.js';
export { JsBackend } from './js/index.js';
export { WasmBackend, type WasmBackendName, type WasmSource } from './wasm/index.js';
export { wasmSimdSupported } from './wasm/simd-support.js';
export { BACKEND_NAMES, type BackendName, type MatmulOptions, type AdamOptions } from './types.js';
