/** The three implementations of the kernels; they run the same tests and the same benchmarks. */
export type BackendName = 'wasm-simd' | 'wasm-scalar' | 'js';

export const BACKEND_NAMES: readonly BackendName[] = ['wasm-simd', 'wasm-scalar', 'js'];

export interface MatmulOptions {
  /** a is stored (k, m) and used transposed: dW = Xᵀ @ dY. */
  transA?: boolean;
  /** b is stored (n, k) and used transposed: dX = dY @ Wᵀ. */
  transB?: boolean;
  /** c += op(a) @ op(b) instead of c = op(a) @ op(b). */
  accumulate?: boolean;
}

/** Adam's hyper-parameters for one update; `step` counts updates from 1 (bias correction). */
export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  step: number;
  /** AdamW's decoupled weight decay: param *= 1 - lr·weightDecay before the update (default 0: Adam). */
  weightDecay?: number;
  /** The gradient is multiplied by this first: global norm clipping's factor (default 1). */
  gradScale?: number;
}

/** Dropout on attention weights (nanoGPT's attn_dropout): probability p, masks drawn from seed as dropoutForward draws them. */
export interface AttentionDropout {
  p: number;
  seed: number;
}
