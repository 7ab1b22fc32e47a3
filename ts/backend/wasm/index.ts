import { Backend } from '../backend.js';
import { WasmgradError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { KernelArgs } from '../validate.js';
import { instantiateKernels, type WasmSource } from './instantiate.js';
import type { WasmExports } from '../kernels.js';
import { WasmMemory } from './memory.js';

export type WasmBackendName = 'wasm-simd' | 'wasm-scalar';
export type { WasmSource } from './instantiate.js';

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
  ) {
    super({
      memory: new WasmMemory(exports.memory),
      heapBase: exports.heap_base(),
      kernels: exports,
      matmulWorkspaceBytes: exports.matmul_workspace_bytes(),
    });
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
