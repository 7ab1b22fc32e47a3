import { Backend } from '../backend.js';
import { WasmgradError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { KernelArgs } from '../validate.js';
import { instantiateKernels, type WasmBytes, type WasmSource } from './instantiate.js';
import type { WasmExports } from '../kernels.js';
import { WasmMemory } from './memory.js';
import { importedMemoryPages } from './memory-import.js';
import { WorkerPool, type SpawnWorker } from './pool.js';

const PAGE = 65536;
/** wasm32's whole address space, 4 GiB. */
const MAX_PAGES = 65536;

/**
 * A shared memory that can grow to `maxPages`; where the engine cannot reserve that much address
 * space (some phones), a quarter of it.
 */
function sharedMemory(initial: number, maxPages: number): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial, maximum: maxPages, shared: true });
  } catch {
    return new WebAssembly.Memory({ initial, maximum: Math.max(initial, maxPages / 4), shared: true });
  }
}

export type WasmBackendName = 'wasm-simd' | 'wasm-scalar';
export type { WasmBytes, WasmSource } from './instantiate.js';
export type { SpawnWorker, PoolWorker } from './pool.js';

/** The crate's own approximations (crate/src/math.rs), exported so tests can measure their error. */
export type MathApproximation = 'exp' | 'erf' | 'ln';

/**
 * The kernels compiled from crate/ to WebAssembly. Every tensor lives in the module's memory;
 * a call passes byte offsets, so numbers never travel through JavaScript arrays.
 */
export class WasmBackend extends Backend {
  private constructor(
    readonly name: WasmBackendName,
    private readonly exports: WasmExports,
    shared?: { memory: WebAssembly.Memory; heapBase: number; threads: WorkerPool },
  ) {
    super({
      memory: new WasmMemory(shared?.memory ?? exports.memory),
      heapBase: shared?.heapBase ?? exports.heap_base(),
      kernels: exports,
      matmulWorkspaceBytes: exports.matmul_workspace_bytes(),
      threads: shared?.threads,
    });
  }

  /**
   * wasm-simd on `threads` threads: the threads build (wasm/wasmgrad-threads.wasm) on one shared
   * memory, this thread and threads - 1 workers started by `spawn`. Its results have the bits of
   * the one-thread wasm-simd backend's. `cores`, where the platform tells, sets how the threads wait.
   */
  static async createThreaded(bytes: WasmBytes, threads: number, spawn: SpawnWorker, cores?: number): Promise<WasmBackend> {
    const what = 'wasm-simd (threads build)';
    const fix = 'pass the bytes of wasm/wasmgrad-threads.wasm; rebuild it with `npm run build:wasm` if it is damaged';
    const view = bytes instanceof Uint8Array ? bytes : ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
    const pages = importedMemoryPages(view);
    const memory = sharedMemory(pages.min, pages.max ?? MAX_PAGES);
    const module = await WebAssembly.compile(view);
    const exports = await instantiateKernels(module, what, fix, memory);
    if (exports.threads_enabled() !== 1) throw new WasmgradError(`${what}: got a build without threads. Fix: ${fix}.`);
    if (threads > exports.max_threads()) {
      throw new WasmgradError(`threads is ${threads}, but one memory holds at most ${exports.max_threads()}. Fix: ask for fewer threads.`);
    }
    const pool = await WorkerPool.start(module, memory, exports, threads, spawn, cores);
    // wasm-bindgen's thread start-up keeps a page just below the module's minimum size: start past it.
    return new WasmBackend('wasm-simd', exports, { memory, heapBase: pages.min * PAGE, threads: pool });
  }

  /** Instantiates one build of the kernel module; checks it is the build and ABI asked for. */
  static async create(source: WasmSource, name: WasmBackendName): Promise<WasmBackend> {
    const file = `wasm/wasmgrad-${name === 'wasm-simd' ? 'simd' : 'scalar'}.wasm`;
    const exports = await instantiateKernels(source, name, `pass the bytes of ${file}; rebuild it with \`npm run build:wasm\` if it is damaged`);
    if (exports.simd_enabled() !== (name === 'wasm-simd' ? 1 : 0)) {
      throw new WasmgradError(`${name}: got the ${exports.simd_enabled() ? 'SIMD' : 'scalar'} build of the kernels. Fix: pass the bytes of ${file}.`);
    }
    return new WasmBackend(name, exports);
  }

  /** Runs the crate's peak kernel; returns GFLOP/s-ready counts: flops performed and a checksum. */
  peakFlops(iters: number): { flops: number; checksum: number } {
    const checksum = this.exports.peak_flops(iters, 0.5);
    return { flops: iters * this.exports.peak_flops_per_iter(), checksum };
  }

  /** out = f(inp) elementwise with the crate's approximation of f (f32 tensors of one size). */
  approximate(f: MathApproximation, out: Tensor, inp: Tensor): void {
    const args = new KernelArgs(this, `approximate(${f})`).tensor('out', out, 'f32', out.shape.length).tensor('inp', inp, 'f32', inp.shape.length);
    args.shape('out', out, inp.shape, 'out has the shape of inp');
    const kernel = { exp: this.exports.math_exp, erf: this.exports.math_erf, ln: this.exports.math_ln }[f];
    kernel(out.offset, inp.offset, inp.size);
  }
}
