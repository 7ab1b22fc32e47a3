/**
 * The kernel module's exports, as crate/src/abi.rs declares them. Pointers are byte offsets into
 * `memory`; flags are 0/1. Names are the Rust names, so grep finds both sides.
 */
export interface KernelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  abi_version(): number;
  simd_enabled(): number;
  matmul_workspace_bytes(): number;
  matmul(c: number, a: number, b: number, m: number, k: number, n: number, transA: number, transB: number, accumulate: number, workspace: number): void;
  bias_forward(out: number, bias: number, rows: number, cols: number): void;
  bias_backward(dbias: number, dout: number, rows: number, cols: number): void;
  gelu_forward(out: number, inp: number, n: number): void;
  gelu_backward(dinp: number, inp: number, out: number, dout: number, n: number): void;
  softmax_xent_forward(losses: number, probs: number, logits: number, targets: number, n: number, v: number): number;
  softmax_xent_backward(dlogits: number, dlosses: number, probs: number, targets: number, n: number, v: number): void;
  embedding_forward(out: number, idx: number, weight: number, n: number, c: number): void;
  embedding_backward(dweight: number, idx: number, dout: number, n: number, c: number): void;
  axpy(y: number, x: number, n: number, alpha: number): void;
  sgd_step(param: number, grad: number, n: number, lr: number): void;
  adam_step(param: number, grad: number, m: number, v: number, n: number, stepSize: number, beta1: number, beta2: number, oneMinusBeta1: number, oneMinusBeta2: number, eps: number, invSqrtBc2: number): void;
  mean_abs(x: number, n: number): number;
  peak_flops(iters: number, seed: number): number;
  peak_flops_per_iter(): number;
  math_exp(out: number, inp: number, n: number): void;
  math_erf(out: number, inp: number, n: number): void;
  math_ln(out: number, inp: number, n: number): void;
}

/** The ABI version this TypeScript was written against (crate/src/abi.rs ABI_VERSION). */
export const ABI_VERSION = 1;

/** Every export the TypeScript side calls; checked at load so LTO or a stale file cannot drop one silently. */
export const EXPECTED_EXPORTS: readonly (keyof KernelExports)[] = [
  'memory', '__heap_base', 'abi_version', 'simd_enabled', 'matmul_workspace_bytes', 'matmul',
  'bias_forward', 'bias_backward', 'gelu_forward', 'gelu_backward', 'softmax_xent_forward',
  'softmax_xent_backward', 'embedding_forward', 'embedding_backward', 'axpy', 'sgd_step', 'adam_step',
  'mean_abs', 'peak_flops', 'peak_flops_per_iter', 'math_exp', 'math_erf', 'math_ln',
];
