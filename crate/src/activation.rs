//! GELU, exact (erf) form as `torch.nn.functional.gelu` computes it by default:
//! gelu(x) = x·Φ(x) = ½·x·(1 + erf(x/√2)).
use crate::math::{exp, one_plus_erf};
use crate::simd::*;

const FRAC_1_SQRT_2: f32 = core::f32::consts::FRAC_1_SQRT_2;
/// 1/√(2π), the standard normal density's constant.
const INV_SQRT_2PI: f32 = 0.398_942_28;

#[inline(always)]
fn gelu(x: V) -> V {
    mul(mul(splat(0.5), x), one_plus_erf(mul(x, splat(FRAC_1_SQRT_2))))
}

/// gelu'(x) = Φ(x) + x·φ(x), with φ the standard normal density.
#[inline(always)]
fn gelu_grad(x: V) -> V {
    let cdf = mul(splat(0.5), one_plus_erf(mul(x, splat(FRAC_1_SQRT_2))));
    let pdf = mul(splat(INV_SQRT_2PI), exp(mul(splat(-0.5), mul(x, x))));
    add(cdf, mul(x, pdf))
}

/// out (n) = gelu(inp (n)); out may alias inp.
pub unsafe fn gelu_forward(out: *mut f32, inp: *const f32, n: usize) {
    map1(out, inp, n, gelu);
}

/// dinp (n) += gelu'(inp) · dout (n).
pub unsafe fn gelu_backward(dinp: *mut f32, inp: *const f32, dout: *const f32, n: usize) {
    let body = n - n % LANES;
    let mut i = 0;
    while i < body {
        let d = dinp.add(i);
        store(d, add(load(d), mul(gelu_grad(load(inp.add(i))), load(dout.add(i)))));
        i += LANES;
    }
    if i < n {
        let len = n - i;
        let d = dinp.add(i);
        let g = mul(gelu_grad(load_partial(inp.add(i), len)), load_partial(dout.add(i), len));
        store_partial(d, add(load_partial(d, len), g), len);
    }
}
