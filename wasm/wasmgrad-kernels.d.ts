/* tslint:disable */
/* eslint-disable */
export const memory: WebAssembly.Memory;
export const abi_version: () => number;
export const adam_step: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number) => void;
export const axpy: (a: number, b: number, c: number, d: number) => void;
export const bias_backward: (a: number, b: number, c: number, d: number) => void;
export const bias_forward: (a: number, b: number, c: number, d: number) => void;
export const embedding_backward: (a: number, b: number, c: number, d: number, e: number) => void;
export const embedding_forward: (a: number, b: number, c: number, d: number, e: number) => void;
export const gelu_backward: (a: number, b: number, c: number, d: number, e: number) => void;
export const gelu_forward: (a: number, b: number, c: number) => void;
export const heap_base: () => number;
export const math_erf: (a: number, b: number, c: number) => void;
export const math_exp: (a: number, b: number, c: number) => void;
export const math_ln: (a: number, b: number, c: number) => void;
export const matmul: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number) => void;
export const matmul_batched: (a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number, j: number, k: number, l: number, m: number) => void;
export const matmul_workspace_bytes: () => number;
export const mean_abs: (a: number, b: number) => number;
export const peak_flops: (a: number, b: number) => number;
export const peak_flops_per_iter: () => number;
export const sgd_step: (a: number, b: number, c: number, d: number) => void;
export const simd_enabled: () => number;
export const softmax_forward: (a: number, b: number, c: number, d: number) => void;
export const softmax_xent_backward: (a: number, b: number, c: number, d: number, e: number, f: number) => void;
export const softmax_xent_forward: (a: number, b: number, c: number, d: number, e: number, f: number) => number;
export const __wbindgen_externrefs: WebAssembly.Table;
export const __wbindgen_start: () => void;
