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

/// Arithmetic on one vector (`V`) or on a group of independent vectors in lockstep (`Group`).
///
/// exp and erfc are long dependency chains (two Horner polynomials and a division); one vector at
/// a time leaves the CPU waiting on latency, and neither LLVM's wasm backend nor V8 interleaves
/// independent chains. `Group` does each operation on GROUP vectors back to back, so the instruction
/// stream itself carries GROUP chains. Functions generic over `Lanes` are written once for both.
pub trait Lanes: Copy {
    /// Broadcasts one vector of constants to every member.
    fn bc(c: V) -> Self;
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    fn max(self, o: Self) -> Self;
    fn min(self, o: Self) -> Self;
    fn abs(self) -> Self;
    /// See `exp2_of_rounded`.
    fn exp2_of_rounded(self, one: Self) -> Self;
    /// Lane-wise `self < b ? x : y`.
    fn select_lt(self, b: Self, x: Self, y: Self) -> Self;
}

impl Lanes for V {
    #[inline(always)]
    fn bc(c: V) -> V {
        c
    }
    #[inline(always)]
    fn add(self, o: V) -> V {
        add(self, o)
    }
    #[inline(always)]
    fn sub(self, o: V) -> V {
        sub(self, o)
    }
    #[inline(always)]
    fn mul(self, o: V) -> V {
        mul(self, o)
    }
    #[inline(always)]
    fn div(self, o: V) -> V {
        div(self, o)
    }
    #[inline(always)]
    fn max(self, o: V) -> V {
        max(self, o)
    }
    #[inline(always)]
    fn min(self, o: V) -> V {
        min(self, o)
    }
    #[inline(always)]
    fn abs(self) -> V {
        abs(self)
    }
    #[inline(always)]
    fn exp2_of_rounded(self, one: V) -> V {
        exp2_of_rounded(self, one)
    }
    #[inline(always)]
    fn select_lt(self, b: V, x: V, y: V) -> V {
        select_lt(self, b, x, y)
    }
}

/// Several vectors in lockstep; see `Lanes`.
impl<const N: usize> Lanes for [V; N] {
    #[inline(always)]
    fn bc(c: V) -> Self {
        [c; N]
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        core::array::from_fn(|i| add(self[i], o[i]))
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        core::array::from_fn(|i| sub(self[i], o[i]))
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        core::array::from_fn(|i| mul(self[i], o[i]))
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        core::array::from_fn(|i| div(self[i], o[i]))
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        core::array::from_fn(|i| max(self[i], o[i]))
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        core::array::from_fn(|i| min(self[i], o[i]))
    }
    #[inline(always)]
    fn abs(self) -> Self {
        self.map(abs)
    }
    #[inline(always)]
    fn exp2_of_rounded(self, one: Self) -> Self {
        core::array::from_fn(|i| exp2_of_rounded(self[i], one[i]))
    }
    #[inline(always)]
    fn select_lt(self, b: Self, x: Self, y: Self) -> Self {
        core::array::from_fn(|i| select_lt(self[i], b[i], x[i], y[i]))
    }
}

/// How many vectors the elementwise kernels process in lockstep, measured on GELU (1024×128,
/// Zen 4) in Node 20 and Chromium 156: 6 is best or close to it in both (Node: 0.27 ms vs 0.30 at
/// 4 and 0.31 at 8; Chromium: 0.32 ms vs 0.31 and 0.35); 12 spills registers.
pub const GROUP: usize = 6;
/// A group of vectors processed in lockstep; see `Lanes`.
pub type Group = [V; GROUP];

#[inline(always)]
pub unsafe fn load_group(p: *const f32) -> Group {
    core::array::from_fn(|i| load(p.add(LANES * i)))
}

#[inline(always)]
pub unsafe fn store_group(p: *mut f32, v: Group) {
    for (i, x) in v.into_iter().enumerate() {
        store(p.add(LANES * i), x);
    }
}

/// A function of one argument that can run on `V` or `Group`.
pub trait LaneFn {
    fn apply<T: Lanes>(&self, x: T) -> T;
}

/// out[i] = f(inp[i]) for n floats: a Group at a time, then by vector, then the tail.
/// `out` may alias `inp`.
#[inline(always)]
pub unsafe fn map_lanes(out: *mut f32, inp: *const f32, n: usize, f: &impl LaneFn) {
    let mut i = 0;
    while i + GROUP * LANES <= n {
        store_group(out.add(i), f.apply(load_group(inp.add(i))));
        i += GROUP * LANES;
    }
    while i + LANES <= n {
        store(out.add(i), f.apply(load(inp.add(i))));
        i += LANES;
    }
    if i < n {
        store_partial(out.add(i), f.apply(load_partial(inp.add(i), n - i)), n - i);
    }
}
