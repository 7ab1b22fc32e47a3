//! exp, erfc/erf and log for f32. `core` has none of them, and SIMD needs its own anyway.
//! Each is written once over `V`, so the simd128 and scalar builds agree bit for bit.
//! Errors below were measured by `test/kernels/math.test.ts` against float64 over the stated ranges.
use crate::simd::*;

const LOG2_E: f32 = core::f32::consts::LOG2_E;
// ln 2 split in two (Cody–Waite) so that x - n·ln2 is exact for the n that occur.
const LN2_HI: f32 = 0.693_359_375;
const LN2_LO: f32 = -2.121_944_4e-4;
/// Below this exp(x) is under f32's smallest normal; the kernel returns 0.
const EXP_MIN_ARG: f32 = -87.33;
/// Above this 2^n would leave f32's exponent range (n = 128); the kernel clamps.
const EXP_MAX_ARG: f32 = 88.37;

/// e^x, relative error ≤ 1e-7 (measured 8.1e-8, 1.4 ulp) for x in [-87.33, 88.37]; 0 below that range,
/// clamped to e^88.37 ≈ 2.4e38 above it. Range reduction x = n·ln2 + r, |r| ≤ ln2/2, then a
/// degree-6 polynomial for e^r (Cephes expf coefficients) and 2^n from the exponent bits.
#[inline(always)]
pub fn exp(x: V) -> V {
    let xc = min(max(x, splat(EXP_MIN_ARG)), splat(EXP_MAX_ARG));
    let n = floor(add(mul(xc, splat(LOG2_E)), splat(0.5)));
    let r = sub(sub(xc, mul(n, splat(LN2_HI))), mul(n, splat(LN2_LO)));
    let mut p = splat(1.987_569_2e-4);
    p = add(mul(p, r), splat(1.398_199_9e-3));
    p = add(mul(p, r), splat(8.333_452e-3));
    p = add(mul(p, r), splat(4.166_579_6e-2));
    p = add(mul(p, r), splat(1.666_666_5e-1));
    p = add(mul(p, r), splat(5.000_000_1e-1));
    let er = add(add(mul(mul(p, r), r), r), splat(1.0));
    let scaled = mul(er, exp2_int(n));
    select_lt(x, splat(EXP_MIN_ARG), splat(0.0), scaled)
}

/// erfc(z) for z ≥ 0 by the Chebyshev fit of Numerical Recipes §6.2 (fractional error 1.2e-7
/// in exact arithmetic). In f32 the exponent's argument -z² + p(t) carries a rounding error of
/// about z²·2^-24, so the relative error grows as 2z²·2^-24: measured through GELU, ≤ 1.8e-6 for
/// |z| ≤ 2.8 and ≤ 1.9e-5 at z = 9, where erfc(z) ≈ 4e-37. Being relative rather than absolute
/// is what keeps GELU accurate for negative inputs, where 1 + erf(z) would cancel.
#[inline(always)]
pub fn erfc_nonneg(z: V) -> V {
    let t = div(splat(1.0), add(splat(1.0), mul(splat(0.5), z)));
    let mut p = splat(0.170_872_77);
    p = add(mul(p, t), splat(-0.822_152_23));
    p = add(mul(p, t), splat(1.488_515_87));
    p = add(mul(p, t), splat(-1.135_203_98));
    p = add(mul(p, t), splat(0.278_868_07));
    p = add(mul(p, t), splat(-0.186_288_06));
    p = add(mul(p, t), splat(0.096_784_18));
    p = add(mul(p, t), splat(0.374_091_96));
    p = add(mul(p, t), splat(1.000_023_68));
    p = add(mul(p, t), splat(-1.265_512_23));
    mul(t, exp(sub(p, mul(z, z))))
}

/// 1 + erf(z) without cancellation: erfc(-z) for z < 0, 2 - erfc(z) otherwise.
#[inline(always)]
pub fn one_plus_erf(z: V) -> V {
    let e = erfc_nonneg(abs(z));
    select_lt(z, splat(0.0), e, sub(splat(2.0), e))
}

/// erf(z), absolute error ≤ 4e-7 (measured 3.7e-7 at z = 0.13); it is 1 - erfc, so its relative
/// error grows as z → 0 — GELU uses one_plus_erf, which has no such cancellation.
#[inline(always)]
pub fn erf(z: V) -> V {
    sub(one_plus_erf(z), splat(1.0))
}

/// ln(x) for positive normal x: relative error ≤ 2.5e-7 for x ≤ 0.9 or x ≥ 1.1 (measured 2.1e-7),
/// absolute error ≤ 3e-8 on [0.9, 1.1] (measured 1.8e-8), where ln x → 0.
/// x = m·2^e with m in [√½, √2), then ln m = 2·atanh(s), s = (m-1)/(m+1), |s| ≤ 0.172, by its
/// odd series to s^9 (the next term is below 3e-9). Scalar: the kernels need one log per row.
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    let bits = x.to_bits();
    let mut e = ((bits >> 23) & 0xff) as i32 - 127;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    if m > core::f32::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let series = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0))));
    let ef = e as f32;
    ef * LN2_HI + (ef * LN2_LO + 2.0 * s * series)
}
