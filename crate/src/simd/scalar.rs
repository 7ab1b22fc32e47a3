//! `V` as four plain floats: the build without simd128. Every operation is four scalar
//! instructions; nothing here may call a `core::arch::wasm32` SIMD intrinsic.

#[derive(Clone, Copy)]
pub struct V([f32; 4]);

#[inline(always)]
fn lanes(f: impl Fn(usize) -> f32) -> V {
    V([f(0), f(1), f(2), f(3)])
}

#[inline(always)]
pub fn splat(x: f32) -> V {
    V([x; 4])
}
#[inline(always)]
pub unsafe fn load(p: *const f32) -> V {
    V(core::ptr::read_unaligned(p as *const [f32; 4]))
}
#[inline(always)]
pub unsafe fn store(p: *mut f32, v: V) {
    core::ptr::write_unaligned(p as *mut [f32; 4], v.0)
}
/// Loads `len` (1..=3) floats into the low lanes, zeros above.
#[inline(always)]
pub unsafe fn load_partial(p: *const f32, len: usize) -> V {
    V([*p, if len > 1 { *p.add(1) } else { 0.0 }, if len > 2 { *p.add(2) } else { 0.0 }, 0.0])
}
/// Stores the low `len` (1..=3) lanes of `v`.
#[inline(always)]
pub unsafe fn store_partial(p: *mut f32, v: V, len: usize) {
    *p = v.0[0];
    if len > 1 {
        *p.add(1) = v.0[1];
    }
    if len > 2 {
        *p.add(2) = v.0[2];
    }
}
#[inline(always)]
pub unsafe fn load_splat(p: *const f32) -> V {
    splat(*p)
}
#[inline(always)]
pub fn add(a: V, b: V) -> V {
    lanes(|i| a.0[i] + b.0[i])
}
#[inline(always)]
pub fn sub(a: V, b: V) -> V {
    lanes(|i| a.0[i] - b.0[i])
}
#[inline(always)]
pub fn mul(a: V, b: V) -> V {
    lanes(|i| a.0[i] * b.0[i])
}
#[inline(always)]
pub fn div(a: V, b: V) -> V {
    lanes(|i| a.0[i] / b.0[i])
}
#[inline(always)]
pub fn max(a: V, b: V) -> V {
    lanes(|i| if a.0[i] < b.0[i] { b.0[i] } else { a.0[i] })
}
#[inline(always)]
pub fn min(a: V, b: V) -> V {
    lanes(|i| if b.0[i] < a.0[i] { b.0[i] } else { a.0[i] })
}
#[inline(always)]
pub fn abs(a: V) -> V {
    lanes(|i| f32::from_bits(a.0[i].to_bits() & 0x7fff_ffff))
}
#[inline(always)]
pub fn sqrt(a: V) -> V {
    lanes(|i| a.0[i].sqrt())
}
#[inline(always)]
pub fn select_lt(a: V, b: V, x: V, y: V) -> V {
    lanes(|i| if a.0[i] < b.0[i] { x.0[i] } else { y.0[i] })
}
/// 2^n from t = n + 1.5·2^23; see the simd128 twin.
#[inline(always)]
pub fn exp2_of_rounded(t: V, one: V) -> V {
    lanes(|i| f32::from_bits((t.0[i].to_bits() << 23).wrapping_add(one.0[i].to_bits())))
}
#[inline(always)]
pub fn hsum(a: V) -> f32 {
    (a.0[0] + a.0[2]) + (a.0[1] + a.0[3])
}
#[inline(always)]
pub fn hmax(a: V) -> f32 {
    let c = if a.0[0] < a.0[2] { a.0[2] } else { a.0[0] };
    let d = if a.0[1] < a.0[3] { a.0[3] } else { a.0[1] };
    if c < d {
        d
    } else {
        c
    }
}
/// The 4×4 transpose of rows r; see the simd128 twin.
#[inline(always)]
pub fn transpose4(r: [V; 4]) -> [V; 4] {
    core::array::from_fn(|j| V([r[0].0[j], r[1].0[j], r[2].0[j], r[3].0[j]]))
}
