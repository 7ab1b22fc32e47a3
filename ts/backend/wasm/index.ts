import { Backend } from '../backend.js';
import { WasmgradError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { ABI_VERSION, EXPECTED_EXPORTS, type KernelExports } from './exports.js';
import { WasmMemory } from './memory.js';

export type WasmBackendName = 'wasm-simd' | 'wasm-scalar';

/** The module's bytes (or a compiled module); the core never fetches or reads files itself. */
export type WasmSource = BufferSource | WebAssembly.Module;

/**
 * The kernels compiled from crate/ to WebAssembly. Every tensor lives in the module's memory;
 * a call passes byte offsets, so numbers never travel through JavaScript arrays.
 */
export class WasmBackend extends Backend {
  /** Scratch for matmul's packed panels, allocated once and reused by every call. */
  private readonly workspace: number;

  private constructor(
    readonly name: WasmBackendName,
    readonly kernels: KernelExports,
  ) {
    super(new WasmMemory(kernels.memory), Number(kernels.__heap_base.value));
    this.workspace = this.arena.alloc(kernels.matmul_workspace_bytes());
  }

  /** Instantiates one build of the kernel module; checks it is the build and ABI asked for. */
  static async create(source: WasmSource, name: WasmBackendName): Promise<WasmBackend> {
    let instance: WebAssembly.Instance;
    try {
      instance =
        source instanceof WebAssembly.Module
          ? await WebAssembly.instantiate(source, {})
          : (await WebAssembly.instantiate(source, {})).instance;
    } catch (e) {
      throw new WasmgradError(
        `${name}: the kernel module failed to load (${(e as Error).message}). ` +
          'Fix: pass the bytes of wasm/wasmgrad-' + (name === 'wasm-simd' ? 'simd' : 'scalar') + '.wasm; rebuild with `npm run build:wasm` if it is damaged.',
      );
    }
    const exports = instance.exports as unknown as KernelExports;
    const missing = EXPECTED_EXPORTS.filter((e) => !(e in exports));
    if (missing.length > 0) {
      throw new WasmgradError(`${name}: the kernel module lacks exports ${missing.join(', ')}. Fix: rebuild it with \`npm run build:wasm\`.`);
    }
    const version = exports.abi_version();
    if (version !== ABI_VERSION) {
      throw new WasmgradError(`${name}: the kernel module has ABI version ${version}, this code expects ${ABI_VERSION}. Fix: rebuild it with \`npm run build:wasm\`.`);
    }
    if ((exports.simd_enabled() === 1) !== (name === 'wasm-simd')) {
      throw new WasmgradError(`${name}: got the ${exports.simd_enabled() ? 'SIMD' : 'scalar'} build of the kernels. Fix: pass the other .wasm file.`);
    }
    return new WasmBackend(name, exports);
  }

  /** Runs the crate's peak kernel; returns GFLOP/s-ready counts: flops performed and a checksum. */
  peakFlops(iters: number): { flops: number; checksum: number } {
    const checksum = this.kernels.peak_flops(iters, 0.5);
    return { flops: iters * this.kernels.peak_flops_per_iter(), checksum };
  }

  protected matmulRaw(c: Tensor, a: Tensor, b: Tensor, m: number, k: number, n: number, transA: boolean, transB: boolean, accumulate: boolean) {
    this.kernels.matmul(c.offset, a.offset, b.offset, m, k, n, +transA, +transB, +accumulate, this.workspace);
  }
  protected biasForwardRaw(out: Tensor, bias: Tensor, rows: number, cols: number) {
    this.kernels.bias_forward(out.offset, bias.offset, rows, cols);
  }
  protected biasBackwardRaw(dbias: Tensor, dout: Tensor, rows: number, cols: number) {
    this.kernels.bias_backward(dbias.offset, dout.offset, rows, cols);
  }
  protected geluForwardRaw(out: Tensor, inp: Tensor, n: number) {
    this.kernels.gelu_forward(out.offset, inp.offset, n);
  }
  protected geluBackwardRaw(dinp: Tensor, inp: Tensor, out: Tensor, dout: Tensor, n: number) {
    this.kernels.gelu_backward(dinp.offset, inp.offset, out.offset, dout.offset, n);
  }
  protected softmaxXentForwardRaw(losses: Tensor | null, probs: Tensor, logits: Tensor, targets: Tensor, n: number, v: number) {
    return this.kernels.softmax_xent_forward(losses ? losses.offset : 0, probs.offset, logits.offset, targets.offset, n, v);
  }
  protected softmaxXentBackwardRaw(dlogits: Tensor, dlosses: Tensor, probs: Tensor, targets: Tensor, n: number, v: number) {
    this.kernels.softmax_xent_backward(dlogits.offset, dlosses.offset, probs.offset, targets.offset, n, v);
  }
  protected embeddingForwardRaw(out: Tensor, idx: Tensor, weight: Tensor, n: number, c: number) {
    this.kernels.embedding_forward(out.offset, idx.offset, weight.offset, n, c);
  }
  protected embeddingBackwardRaw(dweight: Tensor, idx: Tensor, dout: Tensor, n: number, c: number) {
    this.kernels.embedding_backward(dweight.offset, idx.offset, dout.offset, n, c);
  }
  protected axpyRaw(y: Tensor, x: Tensor, n: number, alpha: number) {
    this.kernels.axpy(y.offset, x.offset, n, alpha);
  }
  protected sgdStepRaw(param: Tensor, grad: Tensor, n: number, lr: number) {
    this.kernels.sgd_step(param.offset, grad.offset, n, lr);
  }
  protected adamStepRaw(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, n: number, stepSize: number, beta1: number, beta2: number, eps: number, invSqrtBc2: number) {
    this.kernels.adam_step(param.offset, grad.offset, m.offset, v.offset, n, stepSize, beta1, beta2, 1 - beta1, 1 - beta2, eps, invSqrtBc2);
  }
  protected meanAbsRaw(x: Tensor, n: number) {
    return this.kernels.mean_abs(x.offset, n);
  }
}
