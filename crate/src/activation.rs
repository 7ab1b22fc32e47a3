//! GELU, exact (erf) form as `torch.nn.functional.gelu` computes it by default:
//! gelu(x) = x·Φ(x) = ½·x·(1 + erf(x/√2)).
use crate::dropout::ELEMENTS;
use crate::math::{exp, one_plus_erf, Consts};
use crate::share::share_aligned;
use crate::simd::*;

/// GELU's own constants, built once per call for the reason given at `math::Consts`.
struct GeluConsts {
    math: Consts,
    frac_1_sqrt_2: V,
    /// 1/√(2π), the standard normal density's constant.
    inv_sqrt_2pi: V,
    minus_half: V,
    tiny: V,
}

impl GeluConsts {
    #[inline(always)]
    fn new() -> GeluConsts {
        core::hint::black_box(GeluConsts {
            math: Consts::new(),
            frac_1_sqrt_2: splat(core::f32::consts::FRAC_1_SQRT_2),
            inv_sqrt_2pi: splat(0.398_942_28),
            minus_half: splat(-0.5),
            tiny: splat(7.888_609e-31), // 2^-100
        })
    }
}

impl GeluConsts {
    #[inline(always)]
    fn gelu<T: Lanes>(&self, x: T) -> T {
        T::bc(self.math.half).mul(x).mul(one_plus_erf(x.mul(T::bc(self.frac_1_sqrt_2)), &self.math))
    }

    /// gelu'(x) = Φ(x) + x·φ(x), with φ the standard normal density and Φ(x) = gelu(x)/x taken
    /// from the forward's output: that saves erfc's division, polynomial and second exp, more
    /// than half of the work. Where |x| < 2^-100, Φ = ½ exactly in f32 (and out/x could be
    /// a denormal's rounding), so Φ is ½ there.
    #[inline(always)]
    fn gelu_grad<T: Lanes>(&self, x: T, out: T) -> T {
        let half = T::bc(self.math.half);
        let cdf = x.abs().select_lt(T::bc(self.tiny), half, out.div(x));
        let pdf = T::bc(self.inv_sqrt_2pi).mul(exp(T::bc(self.minus_half).mul(x.mul(x)), &self.math));
        cdf.add(x.mul(pdf))
    }
}

impl LaneFn for GeluConsts {
    #[inline(always)]
    fn apply<T: Lanes>(&self, x: T) -> T {
        self.gelu(x)
    }
}

/// out (n) = gelu(inp (n)); out may alias inp.
pub unsafe fn gelu_forward(out: *mut f32, inp: *const f32, n: usize, part: usize, parts: usize) {
    let r = share_aligned(n, ELEMENTS, part, parts);
    map_lanes(out.add(r.start), inp.add(r.start), r.len(), &GeluConsts::new());
}

/// dinp (n) += gelu'(inp) · dout (n), given out (n) = gelu(inp) from the forward pass.
pub unsafe fn gelu_backward(dinp: *mut f32, inp: *const f32, out: *const f32, dout: *const f32, n: usize, part: usize, parts: usize) {
    let r = share_aligned(n, ELEMENTS, part, parts);
    let (dinp, inp, out, dout, n) = (dinp.add(r.start), inp.add(r.start), out.add(r.start), dout.add(r.start), r.len());
    let k = GeluConsts::new();
    let mut i = 0;
    while i + GROUP * LANES <= n {
        let d = dinp.add(i);
        store_group(d, load_group(d).add(k.gelu_grad(load_group(inp.add(i)), load_group(out.add(i))).mul(load_group(dout.add(i)))));
        i += GROUP * LANES;
    }
    while i + LANES <= n {
        let d = dinp.add(i);
        store(d, add(load(d), mul(k.gelu_grad(load(inp.add(i)), load(out.add(i))), load(dout.add(i)))));
        i += LANES;
    }
    if i < n {
        let len = n - i;
        let d = dinp.add(i);
        let g = mul(k.gelu_grad(load_partial(inp.add(i), len), load_partial(out.add(i), len)), load_partial(dout.add(i), len));
        store_partial(d, add(load_partial(d, len), g), len);
    }
}
