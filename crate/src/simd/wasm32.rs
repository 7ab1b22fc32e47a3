//! `V` as a simd128 register. Compiled only with `target_feature = "simd128"`.
use core::arch::wasm32::*;

pub type V = v128;

#[inline(always)]
pub fn splat(x: f32) -> V {
    f32x4_splat(x)
}
#[inline(always)]
pub unsafe fn load(p: *const f32) -> V {
    v128_load(p as *const v128)
}
#[inline(always)]
pub unsafe fn store(p: *mut f32, v: V) {
    v128_store(p as *mut v128, v)
}
/// Loads `len` (1..=3) floats into the low lanes, zeros above, touching no memory past them:
/// the tail of a row goes through the same vector code as its body.
#[inline(always)]
pub unsafe fn load_partial(p: *const f32, len: usize) -> V {
    match len {
        1 => v128_load32_zero(p as *const u32),
        2 => v128_load64_zero(p as *const u64),
        _ => v128_load32_lane::<2>(v128_load64_zero(p as *const u64), p.add(2) as *const u32),
    }
}
/// Stores the low `len` (1..=3) lanes of `v`.
#[inline(always)]
pub unsafe fn store_partial(p: *mut f32, v: V, len: usize) {
    match len {
        1 => v128_store32_lane::<0>(v, p as *mut u32),
        2 => v128_store64_lane::<0>(v, p as *mut u64),
        _ => {
            v128_store64_lane::<0>(v, p as *mut u64);
            v128_store32_lane::<2>(v, p.add(2) as *mut u32);
        }
    }
}
/// One float from memory broadcast to all lanes (a single load+broadcast instruction in V8).
#[inline(always)]
pub unsafe fn load_splat(p: *const f32) -> V {
    v128_load32_splat(p as *const u32)
}
#[inline(always)]
pub fn add(a: V, b: V) -> V {
    f32x4_add(a, b)
}
#[inline(always)]
pub fn sub(a: V, b: V) -> V {
    f32x4_sub(a, b)
}
#[inline(always)]
pub fn mul(a: V, b: V) -> V {
    f32x4_mul(a, b)
}
#[inline(always)]
pub fn div(a: V, b: V) -> V {
    f32x4_div(a, b)
}
#[inline(always)]
pub fn max(a: V, b: V) -> V {
    // pmax is `b < a ? a : b`: one instruction, unlike f32x4_max's NaN/-0 handling.
    f32x4_pmax(a, b)
}
#[inline(always)]
pub fn min(a: V, b: V) -> V {
    f32x4_pmin(a, b)
}
#[inline(always)]
pub fn abs(a: V) -> V {
    f32x4_abs(a)
}
#[inline(always)]
pub fn sqrt(a: V) -> V {
    f32x4_sqrt(a)
}
/// Lane-wise `a < b ? x : y`.
#[inline(always)]
pub fn select_lt(a: V, b: V, x: V, y: V) -> V {
    v128_bitselect(x, y, f32x4_lt(a, b))
}
/// 2^n, given t = n + 1.5·2^23 for an integer n in [-126, 127] and `one` = splat(1.0): n sits
/// in t's low mantissa bits, so t's bits shifted left by 23 put n in the exponent field, and adding
/// the bits of 1.0 adds the exponent bias. Integer ops only: no float→int conversion, which V8
/// expands to eight instructions for i32x4.trunc_sat.
#[inline(always)]
pub fn exp2_of_rounded(t: V, one: V) -> V {
    i32x4_add(i32x4_shl(t, 23), one)
}
/// Sum of the four lanes, as (l0 + l2) + (l1 + l3) — the scalar build adds in the same order.
#[inline(always)]
pub fn hsum(a: V) -> f32 {
    let b = f32x4_add(a, i32x4_shuffle::<2, 3, 0, 1>(a, a));
    f32x4_extract_lane::<0>(b) + f32x4_extract_lane::<1>(b)
}
#[inline(always)]
pub fn hmax(a: V) -> f32 {
    let b = f32x4_pmax(a, i32x4_shuffle::<2, 3, 0, 1>(a, a));
    let c = f32x4_extract_lane::<0>(b);
    let d = f32x4_extract_lane::<1>(b);
    if c < d {
        d
    } else {
        c
    }
}
/// The 4×4 transpose of rows r: column j of the input becomes vector j of the output.
#[inline(always)]
pub fn transpose4(r: [V; 4]) -> [V; 4] {
    let t0 = i32x4_shuffle::<0, 4, 1, 5>(r[0], r[1]); // a0 b0 a1 b1
    let t1 = i32x4_shuffle::<2, 6, 3, 7>(r[0], r[1]); // a2 b2 a3 b3
    let t2 = i32x4_shuffle::<0, 4, 1, 5>(r[2], r[3]); // c0 d0 c1 d1
    let t3 = i32x4_shuffle::<2, 6, 3, 7>(r[2], r[3]); // c2 d2 c3 d3
    [
        i64x2_shuffle::<0, 2>(t0, t2), // a0 b0 c0 d0
        i64x2_shuffle::<1, 3>(t0, t2), // a1 b1 c1 d1
        i64x2_shuffle::<0, 2>(t1, t3), // a2 b2 c2 d2
        i64x2_shuffle::<1, 3>(t1, t3), // a3 b3 c3 d3
    ]
}
