//! exp, erfc/erf and log for f32. `core` has none of them, and SIMD needs its own anyway.
//! Each is written once over `V`, so the simd128 and scalar builds agree bit for bit.
//! Errors below were measured by `test/kernels/math.test.ts` against float64 over the stated ranges.
use crate::simd::*;

/// The splatted constants of exp and erfc. V8 rebuilds a `v128.const` wherever it appears, also
/// inside loops (a 64-bit immediate, a GPR→XMM move and a shuffle per constant per iteration),
/// which made GELU 10× slower than its arithmetic. Kernels build this table once per call,
/// outside their loops; `black_box` keeps LLVM from folding it back into `v128.const`s, so the
/// loop reads each constant with one load.
pub struct Consts {
    pub zero: V,
    pub half: V,
    pub one: V,
    pub two: V,
    exp_min: V,
    exp_max: V,
    log2_e: V,
    round_magic: V,
    ln2_hi: V,
    ln2_lo: V,
    exp_poly: [V; 6],
    erfc_poly: [V; 10],
}

impl Consts {
    #[inline(always)]
    pub fn new() -> Consts {
        core::hint::black_box(Consts {
            zero: splat(0.0),
            half: splat(0.5),
            one: splat(1.0),
            two: splat(2.0),
            exp_min: splat(EXP_MIN_ARG),
            exp_max: splat(EXP_MAX_ARG),
            log2_e: splat(LOG2_E),
            round_magic: splat(ROUND_MAGIC),
            ln2_hi: splat(LN2_HI),
            ln2_lo: splat(LN2_LO),
            // Cephes expf, highest degree first.
            exp_poly: [1.987_569_2e-4, 1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_5e-1, 5.000_000_1e-1].map(splat),
            // Numerical Recipes erfcc, highest degree first.
            erfc_poly: [
                0.170_872_77,
                -0.822_152_23,
                1.488_515_87,
                -1.135_203_98,
                0.278_868_07,
                -0.186_288_06,
                0.096_784_18,
                0.374_091_96,
                1.000_023_68,
                -1.265_512_23,
            ]
            .map(splat),
        })
    }
}

/// p(t) by Estrin's scheme, coefficients highest degree first: pairs c·t + c', then pairs of
/// pairs with t², t⁴, t⁸. Its dependency chain is log₂(degree) multiply-adds deep instead of
/// Horner's degree-many, for two more multiplications; a shorter chain is what lets the CPU
/// overlap iterations where the engine serialises our interleaved groups (Chromium's V8 does).
#[inline(always)]
fn estrin<T: Lanes>(t: T, coefs: &[V]) -> T {
    // Level 0: a_i + a_{i+1}·t on the coefficients lowest degree first (an odd top one stands alone).
    let n = coefs.len();
    let coef = |degree: usize| T::bc(coefs[n - 1 - degree]);
    let mut level: [T; 8] = [T::bc(coefs[0]); 8];
    let mut len = 0;
    let mut d = 0;
    while d < n {
        level[len] = if d + 1 < n { coef(d).add(coef(d + 1).mul(t)) } else { coef(d) };
        len += 1;
        d += 2;
    }
    // Each further level combines neighbours with the next power t^(2^k).
    let mut power = t.mul(t);
    while len > 1 {
        let mut next = 0;
        let mut i = 0;
        while i < len {
            level[next] = if i + 1 < len { level[i].add(level[i + 1].mul(power)) } else { level[i] };
            next += 1;
            i += 2;
        }
        len = next;
        if len > 1 {
            power = power.mul(power);
        }
    }
    level[0]
}

const LOG2_E: f32 = core::f32::consts::LOG2_E;
// ln 2 split in two (Cody–Waite) so that x - n·ln2 is exact for the n that occur.
const LN2_HI: f32 = 0.693_359_375;
const LN2_LO: f32 = -2.121_944_4e-4;
/// Below this exp(x) is under f32's smallest normal; the kernel returns 0.
const EXP_MIN_ARG: f32 = -87.33;
/// 1.5·2^23: adding it to |y| < 2^22 rounds y to the nearest integer (the float add does it),
/// which lands in the sum's low mantissa bits.
const ROUND_MAGIC: f32 = 12_582_912.0;
/// Above this 2^n would leave f32's exponent range (n = 128); the kernel clamps.
const EXP_MAX_ARG: f32 = 88.37;

/// e^x, relative error ≤ 1e-7 (measured 8.2e-8, 1.4 ulp) for x in [-87.33, 88.37]; 0 below that range,
/// clamped to e^88.37 ≈ 2.4e38 above it. Range reduction x = n·ln2 + r, |r| ≤ ln2/2, then
/// e^r ≈ 1 + r + r²·P(r) with P of degree 5 (Cephes expf), and 2^n from the exponent bits.
#[inline(always)]
pub fn exp<T: Lanes>(x: T, k: &Consts) -> T {
    let exp_min = T::bc(k.exp_min);
    let xc = x.max(exp_min).min(T::bc(k.exp_max));
    let magic = T::bc(k.round_magic);
    let t = xc.mul(T::bc(k.log2_e)).add(magic); // n = round(x·log2 e), held in t's low bits
    let n = t.sub(magic);
    let r = xc.sub(n.mul(T::bc(k.ln2_hi))).sub(n.mul(T::bc(k.ln2_lo)));
    let p = estrin(r, &k.exp_poly);
    let one = T::bc(k.one);
    let er = p.mul(r).mul(r).add(r).add(one);
    let scaled = er.mul(t.exp2_of_rounded(one));
    x.select_lt(exp_min, T::bc(k.zero), scaled)
}

/// erfc(z) for z ≥ 0 by the Chebyshev fit of Numerical Recipes §6.2 (fractional error 1.2e-7
/// in exact arithmetic). In f32 the exponent's argument -z² + p(t) carries a rounding error of
/// about z²·2^-24, so the relative error grows as 2z²·2^-24: measured through GELU, ≤ 1.8e-6 for
/// |z| ≤ 2.8 and ≤ 1.9e-5 at z = 9, where erfc(z) ≈ 4e-37. Being relative rather than absolute
/// is what keeps GELU accurate for negative inputs, where 1 + erf(z) would cancel.
#[inline(always)]
pub fn erfc_nonneg<T: Lanes>(z: T, k: &Consts) -> T {
    let one = T::bc(k.one);
    let t = one.div(one.add(T::bc(k.half).mul(z)));
    let p = estrin(t, &k.erfc_poly);
    t.mul(exp(p.sub(z.mul(z)), k))
}

/// 1 + erf(z) without cancellation: erfc(-z) for z < 0, 2 - erfc(z) otherwise.
#[inline(always)]
pub fn one_plus_erf<T: Lanes>(z: T, k: &Consts) -> T {
    let e = erfc_nonneg(z.abs(), k);
    z.select_lt(T::bc(k.zero), e, T::bc(k.two).sub(e))
}

/// erf(z), absolute error ≤ 5e-7 (measured 4.1e-7 at z = 0.028 on a 2,000,001-point grid of
/// [-10, 10]; a 200,001-point grid saw 3.8e-7); it is 1 - erfc, so its relative
/// error grows as z → 0 — GELU uses one_plus_erf, which has no such cancellation.
#[inline(always)]
pub fn erf<T: Lanes>(z: T, k: &Consts) -> T {
    one_plus_erf(z, k).sub(T::bc(k.one))
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
