/**
 * The kernel surface, typed by wasm-bindgen: wasm/wasmgrad-kernels.d.ts is generated from
 * crate/src/abi.rs by `npm run build:wasm` (and checked against a rebuild in CI). Every
 * implementation — the wasm module's exports, the JS twins in js/ — is a `Kernels`, and Backend calls
 * nothing else, so a kernel missing from either side, or called with the wrong arity, does not compile.
 *
 * Arguments are the Rust signatures' as wasm sees them: pointers are byte offsets into the backend's
 * memory (0 is the null pointer), sizes are element counts, a flag is 0 or 1.
 */
import type * as KernelModule from '../../wasm/wasmgrad-kernels.js';

type Exports = typeof KernelModule;

/**
 * Exports that describe or measure a build rather than compute on tensors: the wasm loader, the
 * benchmark and the math tests use them, and the JS backend has none of them. The rest are kernels.
 */
export type BuildExport =
  | 'memory'
  | 'abi_version'
  | 'simd_enabled'
  | 'threads_enabled'
  | 'thread_stack_bytes'
  | 'max_threads'
  | 'heap_base'
  | 'matmul_workspace_bytes'
  | 'peak_flops'
  | 'peak_flops_per_iter'
  | `math_${string}`
  | `__${string}`; // wasm-bindgen's own: its externref table and start-up hook

export type KernelName = Exclude<keyof Exports, BuildExport>;

/** The kernels every backend implements, with the exact signatures of the wasm exports. */
export type Kernels = Pick<Exports, KernelName>;

/** Everything the wasm module exports, kernels and build exports alike. */
export type WasmExports = Exports;

/**
 * The kernels threads divide, in one fixed order (the worker pool names a kernel by its index here):
 * each takes (part, parts) last and computes its share of the work (crate/src/share.rs), so any
 * number of parts gives the same bits. The other kernels (attention_last, the reductions) run on one thread.
 */
export const SHARED_KERNELS = [
  'matmul', 'matmul_batched', 'bias_forward', 'bias_backward', 'layernorm_forward', 'layernorm_backward', 'attention_forward',
  'attention_backward', 'dropout_forward', 'dropout_backward', 'gelu_forward', 'gelu_backward', 'softmax_forward',
  'softmax_xent_forward', 'softmax_xent_backward', 'embedding_forward', 'embedding_backward', 'axpy', 'sgd_step', 'adam_step', 'zero', 'copy',
] as const satisfies readonly KernelName[];

export type SharedKernelName = (typeof SHARED_KERNELS)[number];

/** A shared kernel's index in SHARED_KERNELS. */
export const SHARED_KERNEL_INDEX = Object.fromEntries(SHARED_KERNELS.map((name, i) => [name, i])) as Record<SharedKernelName, number>;

/** A shared kernel's arguments before (part, parts). */
export type SharedKernelArgs<K extends SharedKernelName> = Kernels[K] extends (...args: [...infer Head, number, number]) => unknown ? Head : never;
