import type { Backend } from './backend.js';
import { WasmgradError } from './errors.js';
import { JsBackend } from './js/index.js';
import type { BackendName } from './types.js';
import { BACKEND_NAMES } from './types.js';
import { WasmBackend, type WasmSource } from './wasm/index.js';
import { wasmSimdSupported } from './wasm/simd-support.js';

/** Where the two kernel builds come from: bytes read from disk (Node) or inlined (browsers). */
export interface WasmSources {
  simd: () => WasmSource | Promise<WasmSource>;
  scalar: () => WasmSource | Promise<WasmSource>;
}

export interface CreateBackendOptions {
  /** Told when wasm-simd was asked for but the engine has no SIMD and wasm-scalar runs instead. */
  onFallback?: (message: string) => void;
}

/**
 * Makes a backend by name. wasm-simd on an engine without WebAssembly SIMD falls back to
 * wasm-scalar, and says so through onFallback (default: console.warn).
 */
export async function createBackend(name: BackendName, sources: WasmSources, options: CreateBackendOptions = {}): Promise<Backend> {
  if (!BACKEND_NAMES.includes(name)) {
    throw new WasmgradError(`unknown backend '${name}'. Fix: use one of ${BACKEND_NAMES.join(', ')}.`);
  }
  if (name === 'js') return new JsBackend();
  if (name === 'wasm-simd' && !wasmSimdSupported()) {
    const warn = options.onFallback ?? ((m: string) => console.warn(m));
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
