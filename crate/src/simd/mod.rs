//! A four-lane f32 vector, `V`, with one implementation per build.
//!
//! Kernels are written once against this module. The `wasm-simd` build maps every operation to a
//! simd128 instruction (`wasm32.rs`); the `wasm-scalar` build maps it to four scalar operations
//! (`scalar.rs`) and never touches a SIMD intrinsic, so it runs on engines without SIMD. Both do the
//! same arithmetic in the same order, so elementwise kernels give the same bits in both builds.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm32;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub use wasm32::*;

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod scalar;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub use scalar::*;

/// Lanes per vector.
pub const LANES: usize = 4;

/// Applies `f` to `n` floats in vector-sized chunks, the tail included: `out[i] = f(inp[i])`.
/// `out` may alias `inp`.
#[inline(always)]
pub unsafe fn map1(out: *mut f32, inp: *const f32, n: usize, f: impl Fn(V) -> V) {
    let body = n - n % LANES;
    let mut i = 0;
    while i < body {
        store(out.add(i), f(load(inp.add(i))));
        i += LANES;
    }
    if i < n {
        store_partial(out.add(i), f(load_partial(inp.add(i), n - i)), n - i);
    }
}

/// Like `map1` with two inputs: `out[i] = f(a[i], b[i])`.
#[inline(always)]
pub unsafe fn map2(out: *mut f32, a: *const f32, b: *const f32, n: usize, f: impl Fn(V, V) -> V) {
    let body = n - n % LANES;
    let mut i = 0;
    while i < body {
        store(out.add(i), f(load(a.add(i)), load(b.add(i))));
        i += LANES;
    }
    if i < n {
        let len = n - i;
        store_partial(out.add(i), f(load_partial(a.add(i), len), load_partial(b.add(i), len)), len);
    }
}
