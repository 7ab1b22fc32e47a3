//! Parameter updates, in place. Step-dependent scalars (Adam's bias corrections) are computed by
//! the caller once per step, not per element.
use crate::dropout::ELEMENTS;
use crate::share::share_aligned;
use crate::simd::*;

/// y (n) += alpha · x (n): gradient flow through an identity (x + bias), and SGD's update.
pub unsafe fn axpy(y: *mut f32, x: *const f32, n: usize, alpha: f32, part: usize, parts: usize) {
    let r = share_aligned(n, ELEMENTS, part, parts);
    map2(y.add(r.start), y.add(r.start), x.add(r.start), r.len(), |yv, xv| add(yv, mul(splat(alpha), xv)));
}

/// param (n) -= lr · grad (n).
pub unsafe fn sgd_step(param: *mut f32, grad: *const f32, n: usize, lr: f32, part: usize, parts: usize) {
    axpy(param, grad, n, -lr, part, parts)
}

/// Adam (Kingma & Ba) and AdamW (Loshchilov & Hutter, torch.optim.AdamW), for step t ≥ 1:
///   g = grad_scale·grad  (global gradient-norm clipping's factor, 1 without)
///   m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²
///   param = decay·param - step_size · m / (√v · inv_sqrt_bc2 + eps)
/// where the caller passes step_size = lr / (1 - β1^t), inv_sqrt_bc2 = 1 / √(1 - β2^t), decay =
/// 1 - lr·weight_decay (1 for Adam: exactly the same bits), and 1 - β1, 1 - β2 computed in float64:
/// 1 - f32(0.999) in f32 is off by 1.3e-5 relative.
pub unsafe fn adam_step(
    param: *mut f32, grad: *const f32, m: *mut f32, v: *mut f32, n: usize, step_size: f32, beta1: f32, beta2: f32, one_minus_beta1: f32,
    one_minus_beta2: f32, eps: f32, inv_sqrt_bc2: f32, decay: f32, grad_scale: f32, part: usize, parts: usize,
) {
    let r = share_aligned(n, ELEMENTS, part, parts);
    let (param, grad, m, v, n) = (param.add(r.start), grad.add(r.start), m.add(r.start), v.add(r.start), r.len());
    let update = |p: V, g: V, mv: V, vv: V| -> (V, V, V) {
        let g = mul(g, splat(grad_scale));
        let m1 = add(mul(splat(beta1), mv), mul(splat(one_minus_beta1), g));
        let v1 = add(mul(splat(beta2), vv), mul(splat(one_minus_beta2), mul(g, g)));
        let denom = add(mul(sqrt(v1), splat(inv_sqrt_bc2)), splat(eps));
        (sub(mul(p, splat(decay)), div(mul(splat(step_size), m1), denom)), m1, v1)
    };
    let body = n - n % LANES;
    let mut i = 0;
    while i < body {
        let (p1, m1, v1) = update(load(param.add(i)), load(grad.add(i)), load(m.add(i)), load(v.add(i)));
        store(param.add(i), p1);
        store(m.add(i), m1);
        store(v.add(i), v1);
        i += LANES;
    }
    if i < n {
        let len = n - i;
        let (p1, m1, v1) =
            update(load_partial(param.add(i), len), load_partial(grad.add(i), len), load_partial(m.add(i), len), load_partial(v.add(i), len));
        store_partial(param.add(i), p1, len);
        store_partial(m.add(i), m1, len);
        store_partial(v.add(i), v1, len);
    }
}
