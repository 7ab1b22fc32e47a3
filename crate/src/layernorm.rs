//! LayerNorm over the last dimension, as `nn.LayerNorm(C)` (population variance, eps inside the
//! square root), forward and backward in llm.c's form: the forward keeps each row's mean and 1/σ
//! for the backward. `bias` and `dbias` may be null (nanoGPT's `bias=False`).
use crate::share::{share, share_aligned};
use crate::simd::*;

/// Σ p[0..c] in vector lanes, then the tail: a fixed order, so every build sums alike.
#[inline(always)]
unsafe fn row_sum(c: usize, f: impl Fn(usize) -> V, tail: impl Fn(usize) -> f32) -> f32 {
    let body = c - c % LANES;
    let mut acc = splat(0.0);
    let mut j = 0;
    while j < body {
        acc = add(acc, f(j));
        j += LANES;
    }
    let mut s = hsum(acc);
    for t in body..c {
        s += tail(t);
    }
    s
}

/// inp (rows, c), weight (c), bias (c) or null -> out (rows, c) = (x - μ)/σ · weight + bias,
/// mean (rows) = μ, rstd (rows) = 1/σ with σ = √(var + eps).
pub unsafe fn layernorm_forward(
    out: *mut f32, mean: *mut f32, rstd: *mut f32, inp: *const f32, weight: *const f32, bias: *const f32, rows: usize, c: usize, eps: f32,
    part: usize, parts: usize,
) {
    for r in share(rows, part, parts) {
        let x = inp.add(r * c);
        let m = row_sum(c, |j| load(x.add(j)), |t| *x.add(t)) / c as f32;
        let mv = splat(m);
        let var = row_sum(
            c,
            |j| {
                let d = sub(load(x.add(j)), mv);
                mul(d, d)
            },
            |t| (*x.add(t) - m) * (*x.add(t) - m),
        ) / c as f32;
        let s = 1.0 / (var + eps).sqrt();
        *mean.add(r) = m;
        *rstd.add(r) = s;
        let sv = splat(s);
        let o = out.add(r * c);
        map2(o, x, weight, c, |xv, w| mul(mul(sub(xv, mv), sv), w));
        if !bias.is_null() {
            map2(o, o, bias, c, add);
        }
    }
}

/// Gradients of layernorm_forward, accumulated: dinp (rows, c) += (dn - mean(dn) - n·mean(dn·n))·rstd
/// with n = (x - μ)·rstd and dn = dout·weight; dweight (c) += Σ_rows dout·n; dbias (c) += Σ_rows dout
/// unless null, added row by row in row order. mean and rstd are the forward's. Threads divide the
/// rows of dinp, then the columns of dweight and dbias, so no element has two writers.
pub unsafe fn layernorm_backward(
    dinp: *mut f32, dweight: *mut f32, dbias: *mut f32, dout: *const f32, inp: *const f32, weight: *const f32, mean: *const f32, rstd: *const f32,
    rows: usize, c: usize, part: usize, parts: usize,
) {
    for r in share(rows, part, parts) {
        let x = inp.add(r * c);
        let d = dout.add(r * c);
        let (m, s) = (*mean.add(r), *rstd.add(r));
        let (mv, sv) = (splat(m), splat(s));
        let norm = |j: usize| mul(sub(load(x.add(j)), mv), sv);
        let dnorm = |j: usize| mul(load(d.add(j)), load(weight.add(j)));
        let dnorm_mean = row_sum(c, dnorm, |t| *d.add(t) * *weight.add(t)) / c as f32;
        let dnorm_norm_mean = row_sum(c, |j| mul(dnorm(j), norm(j)), |t| *d.add(t) * *weight.add(t) * ((*x.add(t) - m) * s)) / c as f32;
        let (dm, dnm) = (splat(dnorm_mean), splat(dnorm_norm_mean));
        let di = dinp.add(r * c);
        let body = c - c % LANES;
        let mut j = 0;
        while j < body {
            let g = mul(sub(sub(dnorm(j), dm), mul(norm(j), dnm)), sv);
            store(di.add(j), add(load(di.add(j)), g));
            j += LANES;
        }
        for t in body..c {
            let n = (*x.add(t) - m) * s;
            let dn = *d.add(t) * *weight.add(t);
            *di.add(t) += (dn - dnorm_mean - n * dnorm_norm_mean) * s;
        }
    }
    let cols = share_aligned(c, LANES, part, parts);
    let body = cols.end - cols.len() % LANES;
    for r in 0..rows {
        let x = inp.add(r * c);
        let d = dout.add(r * c);
        let (m, s) = (*mean.add(r), *rstd.add(r));
        let (mv, sv) = (splat(m), splat(s));
        let mut j = cols.start;
        while j < body {
            let n = mul(sub(load(x.add(j)), mv), sv);
            store(dweight.add(j), add(load(dweight.add(j)), mul(load(d.add(j)), n)));
            if !dbias.is_null() {
                store(dbias.add(j), add(load(dbias.add(j)), load(d.add(j))));
            }
            j += LANES;
        }
        for t in body..cols.end {
            *dweight.add(t) += *d.add(t) * ((*x.add(t) - m) * s);
            if !dbias.is_null() {
                *dbias.add(t) += *d.add(t);
            }
        }
    }
}
