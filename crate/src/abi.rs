//! The module's whole exported surface: one thin `#[wasm_bindgen]` export per kernel, with the
//! kernel's own name. Pointers are byte offsets into this module's linear memory, owned and
//! validated by TypeScript (ts/backend/); `usize` is wasm32's i32, a flag is an i32 (0 or 1).
//! wasm-bindgen writes these signatures into wasm/wasmgrad-kernels.d.ts, the type that
//! ts/backend/kernels.ts checks both the wasm and the JS kernels against.
use crate::{activation, attention, bias, dropout, embedding, fill, layernorm, loss, math, matmul, optim, peak, reduce, simd};
use wasm_bindgen::prelude::wasm_bindgen;

/// Bumped whenever the exports change (added, removed, other signatures or meaning); the loader
/// refuses a mismatch. 2: built by wasm-pack/wasm-bindgen; 3: softmax_forward, matmul_batched;
/// 4: layernorm_forward, layernorm_backward; 5: attention_forward, attention_backward;
/// 6: adam_step's decay and grad_scale, sum_squares; 7: dropout_forward, dropout_backward;
/// 8: attention_last, and attention_forward/backward's dropout (seed, threshold, scale);
/// 9: every kernel but attention_last and the reductions takes (part, parts), see share.rs;
/// 10: zero and copy.
pub const ABI_VERSION: u32 = 10;

#[wasm_bindgen]
pub fn abi_version() -> u32 {
    ABI_VERSION
}

/// 1 in the simd128 build, 0 in the scalar build: the loader checks it got the file it asked for.
#[wasm_bindgen]
pub fn simd_enabled() -> bool {
    cfg!(all(target_arch = "wasm32", target_feature = "simd128"))
}

/// 1 in the threads build (shared memory, atomics): each worker instantiates it on the same memory.
#[wasm_bindgen]
pub fn threads_enabled() -> bool {
    cfg!(target_feature = "atomics")
}

/// The stack a worker's instance needs, to pass to `__wbindgen_start` (0 outside the threads build).
#[wasm_bindgen]
pub fn thread_stack_bytes() -> usize {
    #[cfg(target_feature = "atomics")]
    return crate::thread_memory::THREAD_STACK_BYTES;
    #[cfg(not(target_feature = "atomics"))]
    0
}

/// Instances (the calling thread and its workers) one memory of the threads build can hold.
#[wasm_bindgen]
pub fn max_threads() -> usize {
    #[cfg(target_feature = "atomics")]
    return crate::thread_memory::MAX_THREADS;
    #[cfg(not(target_feature = "atomics"))]
    1
}

/// The first byte after the module's stack and static data: TypeScript's arena owns the memory from
/// here to the end. Nothing in the module allocates or grows memory (test/backend/wasm-files.test.ts
/// checks there is no `memory.grow`), so the arena never competes with Rust for it.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub fn heap_base() -> usize {
    extern "C" {
        // Defined by the linker, lld.
        static __heap_base: u8;
    }
    // Only the symbol's address is taken, never its contents.
    core::ptr::addr_of!(__heap_base) as usize
}

#[wasm_bindgen]
pub fn matmul_workspace_bytes() -> usize {
    matmul::WORKSPACE_FLOATS * 4
}

#[wasm_bindgen]
pub unsafe fn matmul(
    c: *mut f32, a: *const f32, b: *const f32, m: usize, k: usize, n: usize, trans_a: bool, trans_b: bool, accumulate: bool, workspace: *mut f32,
    part: usize, parts: usize,
) {
    matmul::matmul(c, a, b, m, k, n, trans_a, trans_b, accumulate, workspace, part, parts)
}

#[wasm_bindgen]
pub unsafe fn matmul_batched(
    c: *mut f32, a: *const f32, b: *const f32, batch: usize, m: usize, k: usize, n: usize, stride_a: usize, stride_b: usize, trans_a: bool,
    trans_b: bool, accumulate: bool, workspace: *mut f32, part: usize, parts: usize,
) {
    matmul::matmul_batched(c, a, b, batch, m, k, n, stride_a, stride_b, trans_a, trans_b, accumulate, workspace, part, parts)
}

#[wasm_bindgen]
pub unsafe fn bias_forward(out: *mut f32, bias: *const f32, rows: usize, cols: usize, part: usize, parts: usize) {
    bias::bias_forward(out, bias, rows, cols, part, parts)
}

#[wasm_bindgen]
pub unsafe fn bias_backward(dbias: *mut f32, dout: *const f32, rows: usize, cols: usize, part: usize, parts: usize) {
    bias::bias_backward(dbias, dout, rows, cols, part, parts)
}

#[wasm_bindgen]
pub unsafe fn layernorm_forward(
    out: *mut f32, mean: *mut f32, rstd: *mut f32, inp: *const f32, weight: *const f32, bias: *const f32, rows: usize, c: usize, eps: f32,
    part: usize, parts: usize,
) {
    layernorm::layernorm_forward(out, mean, rstd, inp, weight, bias, rows, c, eps, part, parts)
}

#[wasm_bindgen]
pub unsafe fn layernorm_backward(
    dinp: *mut f32, dweight: *mut f32, dbias: *mut f32, dout: *const f32, inp: *const f32, weight: *const f32, mean: *const f32, rstd: *const f32,
    rows: usize, c: usize, part: usize, parts: usize,
) {
    layernorm::layernorm_backward(dinp, dweight, dbias, dout, inp, weight, mean, rstd, rows, c, part, parts)
}

#[wasm_bindgen]
pub unsafe fn attention_forward(
    out: *mut f32, att: *mut f32, qkv: *const f32, batch: usize, t: usize, c: usize, heads: usize, seed: u32, threshold: u32, scale: f32,
    part: usize, parts: usize,
) {
    attention::attention_forward(out, att, qkv, batch, t, c, heads, attention::AttnDropout { seed, threshold, scale }, part, parts)
}

#[wasm_bindgen]
pub unsafe fn attention_last(out: *mut f32, qkv: *const f32, t: usize, c: usize, heads: usize, workspace: *mut f32) {
    attention::attention_last(out, qkv, t, c, heads, workspace)
}

#[wasm_bindgen]
pub unsafe fn attention_backward(
    dqkv: *mut f32, dout: *const f32, qkv: *const f32, att: *const f32, batch: usize, t: usize, c: usize, heads: usize, seed: u32, threshold: u32,
    scale: f32, workspace: *mut f32, part: usize, parts: usize,
) {
    attention::attention_backward(dqkv, dout, qkv, att, batch, t, c, heads, attention::AttnDropout { seed, threshold, scale }, workspace, part, parts)
}

#[wasm_bindgen]
pub unsafe fn dropout_forward(out: *mut f32, inp: *const f32, n: usize, seed: u32, threshold: u32, scale: f32, part: usize, parts: usize) {
    dropout::dropout_forward(out, inp, n, seed, threshold, scale, part, parts)
}

#[wasm_bindgen]
pub unsafe fn dropout_backward(dinp: *mut f32, dout: *const f32, n: usize, seed: u32, threshold: u32, scale: f32, part: usize, parts: usize) {
    dropout::dropout_backward(dinp, dout, n, seed, threshold, scale, part, parts)
}

#[wasm_bindgen]
pub unsafe fn gelu_forward(out: *mut f32, inp: *const f32, n: usize, part: usize, parts: usize) {
    activation::gelu_forward(out, inp, n, part, parts)
}

#[wasm_bindgen]
pub unsafe fn gelu_backward(dinp: *mut f32, inp: *const f32, out: *const f32, dout: *const f32, n: usize, part: usize, parts: usize) {
    activation::gelu_backward(dinp, inp, out, dout, n, part, parts)
}

#[wasm_bindgen]
pub unsafe fn softmax_forward(probs: *mut f32, logits: *const f32, n: usize, v: usize, part: usize, parts: usize) {
    loss::softmax_forward(probs, logits, n, v, part, parts)
}

#[wasm_bindgen]
pub unsafe fn softmax_xent_forward(
    losses: *mut f32, probs: *mut f32, logits: *const f32, targets: *const u32, n: usize, v: usize, part: usize, parts: usize,
) -> f32 {
    loss::softmax_xent_forward(losses, probs, logits, targets, n, v, part, parts)
}

#[wasm_bindgen]
pub unsafe fn softmax_xent_backward(
    dlogits: *mut f32, dlosses: *const f32, probs: *const f32, targets: *const u32, n: usize, v: usize, part: usize, parts: usize,
) {
    loss::softmax_xent_backward(dlogits, dlosses, probs, targets, n, v, part, parts)
}

#[wasm_bindgen]
pub unsafe fn embedding_forward(out: *mut f32, idx: *const u32, weight: *const f32, n: usize, c: usize, part: usize, parts: usize) {
    embedding::embedding_forward(out, idx, weight, n, c, part, parts)
}

#[wasm_bindgen]
pub unsafe fn embedding_backward(dweight: *mut f32, idx: *const u32, dout: *const f32, n: usize, c: usize, part: usize, parts: usize) {
    embedding::embedding_backward(dweight, idx, dout, n, c, part, parts)
}

#[wasm_bindgen]
pub unsafe fn zero(t: *mut u32, n: usize, part: usize, parts: usize) {
    fill::zero(t, n, part, parts)
}

#[wasm_bindgen]
pub unsafe fn copy(dst: *mut u32, src: *const u32, n: usize, part: usize, parts: usize) {
    fill::copy(dst, src, n, part, parts)
}

#[wasm_bindgen]
pub unsafe fn axpy(y: *mut f32, x: *const f32, n: usize, alpha: f32, part: usize, parts: usize) {
    optim::axpy(y, x, n, alpha, part, parts)
}

#[wasm_bindgen]
pub unsafe fn sgd_step(param: *mut f32, grad: *const f32, n: usize, lr: f32, part: usize, parts: usize) {
    optim::sgd_step(param, grad, n, lr, part, parts)
}

#[wasm_bindgen]
pub unsafe fn adam_step(
    param: *mut f32, grad: *const f32, m: *mut f32, v: *mut f32, n: usize, step_size: f32, beta1: f32, beta2: f32, one_minus_beta1: f32,
    one_minus_beta2: f32, eps: f32, inv_sqrt_bc2: f32, decay: f32, grad_scale: f32, part: usize, parts: usize,
) {
    optim::adam_step(
        param,
        grad,
        m,
        v,
        n,
        step_size,
        beta1,
        beta2,
        one_minus_beta1,
        one_minus_beta2,
        eps,
        inv_sqrt_bc2,
        decay,
        grad_scale,
        part,
        parts,
    )
}

#[wasm_bindgen]
pub unsafe fn sum_squares(x: *const f32, n: usize) -> f64 {
    reduce::sum_squares(x, n)
}

#[wasm_bindgen]
pub unsafe fn mean_abs(x: *const f32, n: usize) -> f32 {
    reduce::mean_abs(x, n)
}

#[wasm_bindgen]
pub fn peak_flops(iters: u32, seed: f32) -> f32 {
    peak::peak_flops(iters, seed)
}

#[wasm_bindgen]
pub fn peak_flops_per_iter() -> u32 {
    peak::FLOPS_PER_ITER
}

// Elementwise maps over the math approximations, exported so tests can measure their error.
#[wasm_bindgen]
pub unsafe fn math_exp(out: *mut f32, inp: *const f32, n: usize) {
    let k = math::Consts::new();
    simd::map1(out, inp, n, |x| math::exp(x, &k))
}

#[wasm_bindgen]
pub unsafe fn math_erf(out: *mut f32, inp: *const f32, n: usize) {
    let k = math::Consts::new();
    simd::map1(out, inp, n, |x| math::erf(x, &k))
}

#[wasm_bindgen]
pub unsafe fn math_ln(out: *mut f32, inp: *const f32, n: usize) {
    for i in 0..n {
        *out.add(i) = math::ln(*inp.add(i));
    }
}
