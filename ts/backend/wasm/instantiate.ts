import { WasmgradError } from '../errors.js';
import type { WasmExports } from '../kernels.js';
import { kernelImports } from './worker-main.js';

/**
 * The module's bytes (what `BufferSource` is, spelled without the DOM lib, which the published .d.ts
 * must not need: ts/webassembly.d.ts).
 */
export type WasmBytes = ArrayBuffer | ArrayBufferView<ArrayBuffer>;

/** The module's bytes (or a compiled module); the core never fetches or reads files itself. */
export type WasmSource = WasmBytes | WebAssembly.Module;

/** The ABI this TypeScript was written against (crate/src/abi.rs ABI_VERSION). */
export const ABI_VERSION = 10;

/**
 * wasm-bindgen's start-up hooks, as its generated glue (of the pinned version) defines them. The
 * kernels pass only numbers, so the externref table is never read; the hook is still run, through
 * `__wbindgen_start`, because that is the protocol the module was built for. Self-contained: the
 * pool's workers get it as source text (pool.ts).
 */
export function wasmBindgenHooks(exports: () => WasmExports): Record<string, () => void> {
  return {
    __wbindgen_init_externref_table() {
      // The reserved slots: undefined, then wasm-bindgen's constants at 1024.. (undefined, null, true, false).
      const table = exports().__wbindgen_externrefs;
      table.set(0, undefined);
      table.set(1024, undefined);
      table.set(1025, null);
      table.set(1026, true);
      table.set(1027, false);
    },
  };
}

/**
 * Instantiates one kernel build without wasm-bindgen's generated JS glue: the glue keeps a single
 * instance per JS module (a second `initSync` returns the first instance and its memory), and every
 * backend needs an instance and a memory of its own. Checks the module is a kernel build of this ABI.
 * The threads build imports its memory: `memory` is that shared memory, and this instance, started
 * first, is thread 0 (it initialises the memory; the pool's workers then get stacks of their own).
 */
export async function instantiateKernels(source: WasmSource, what: string, fix: string, memory?: WebAssembly.Memory): Promise<WasmExports> {
  let module: WebAssembly.Module;
  try {
    module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  } catch (e) {
    throw new WasmgradError(`${what}: the kernel module failed to compile (${(e as Error).message}). Fix: ${fix}.`);
  }
  let exports: WasmExports | undefined;
  let imports;
  try {
    imports = kernelImports(module, wasmBindgenHooks(() => exports!), memory);
  } catch (e) {
    throw new WasmgradError(`${what}: ${(e as Error).message}. Fix: ${fix}.`);
  }
  const instance = await WebAssembly.instantiate(module, imports);
  exports = instance.exports as unknown as WasmExports;
  if (typeof exports.abi_version !== 'function') {
    throw new WasmgradError(`${what}: the module has no abi_version export, so it is not a wasmgrad kernel build. Fix: ${fix}.`);
  }
  const version = exports.abi_version();
  if (version !== ABI_VERSION) {
    throw new WasmgradError(`${what}: the kernel module has ABI version ${version}, this code expects ${ABI_VERSION}. Fix: ${fix}.`);
  }
  (exports.__wbindgen_start as (stackBytes?: number) => void)(exports.thread_stack_bytes());
  return exports;
}
