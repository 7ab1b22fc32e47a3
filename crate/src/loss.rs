//! Softmax fused with cross-entropy (llm.c's layout): the forward keeps the probabilities, the
//! backward needs nothing else. Max-subtracted, so no logit overflows exp.
use crate::math::{exp, ln, Consts};
use crate::share::share;
use crate::simd::*;

/// e^(x - shift) for a row, in vector groups (see `simd::Lanes`).
struct ExpShifted<'a> {
    k: &'a Consts,
    shift: V,
}

impl LaneFn for ExpShifted<'_> {
    #[inline(always)]
    fn apply<T: Lanes>(&self, x: T) -> T {
        exp(x.sub(T::bc(self.shift)), self.k)
    }
}

/// p (v) = softmax(x (v)), max-subtracted; returns (max, Σ e^(x - max)) for the loss.
#[inline(always)]
pub(crate) unsafe fn softmax_row(p: *mut f32, x: *const f32, v: usize, k: &Consts) -> (f32, f32) {
    let body = v - v % LANES;
    let mut mx = splat(*x);
    let mut j = 0;
    while j < body {
        mx = max(mx, load(x.add(j)));
        j += LANES;
    }
    let mut row_max = hmax(mx);
    for t in body..v {
        row_max = if row_max < *x.add(t) { *x.add(t) } else { row_max };
    }
    map_lanes(p, x, v, &ExpShifted { k, shift: splat(row_max) });
    let mut sum = splat(0.0);
    j = 0;
    while j < body {
        sum = add(sum, load(p.add(j)));
        j += LANES;
    }
    let mut row_sum = hsum(sum);
    for t in body..v {
        row_sum += *p.add(t);
    }
    let scale = 1.0 / row_sum;
    map1(p, p, v, |e| mul(e, splat(scale)));
    (row_max, row_sum)
}

/// logits (n,v) -> probs (n,v) = softmax of each row (sampling, statistics).
pub unsafe fn softmax_forward(probs: *mut f32, logits: *const f32, n: usize, v: usize, part: usize, parts: usize) {
    let k = Consts::new();
    for r in share(n, part, parts) {
        softmax_row(probs.add(r * v), logits.add(r * v), v, &k);
    }
}

/// logits (n,v), targets (n) in [0,v) -> probs (n,v), losses (n) unless null;
/// loss_i = ln Σ_j e^(x_ij - max_i) - (x_i,t - max_i). Returns Σ loss_i / n over this part's rows
/// (in row order, in f64): the mean loss when one thread computes every row. With more, the caller
/// sums `losses` in row order, which gives that same mean.
pub unsafe fn softmax_xent_forward(
    losses: *mut f32, probs: *mut f32, logits: *const f32, targets: *const u32, n: usize, v: usize, part: usize, parts: usize,
) -> f32 {
    let k = Consts::new();
    let mut total = 0.0f64;
    for r in share(n, part, parts) {
        let x = logits.add(r * v);
        let (row_max, row_sum) = softmax_row(probs.add(r * v), x, v, &k);
        let target = *targets.add(r) as usize;
        let loss = ln(row_sum) - (*x.add(target) - row_max);
        if !losses.is_null() {
            *losses.add(r) = loss;
        }
        total += loss as f64;
    }
    (total / n as f64) as f32
}

/// dlogits (n,v) += (probs - onehot(targets)) · dlosses (n). dlosses_i = 1/n for the mean loss.
pub unsafe fn softmax_xent_backward(
    dlogits: *mut f32, dlosses: *const f32, probs: *const f32, targets: *const u32, n: usize, v: usize, part: usize, parts: usize,
) {
    for r in share(n, part, parts) {
        let d = dlogits.add(r * v);
        let dl = splat(*dlosses.add(r));
        map2(d, d, probs.add(r * v), v, |acc, p| add(acc, mul(p, dl)));
        let target = *targets.add(r) as usize;
        *d.add(target) -= *dlosses.add(r);
    }
}
