//! Reductions: the notebook's "mean abs values" statistic and the squared norm gradient clipping needs.
use crate::simd::*;

/// Elements summed in f32 lanes before the partial sum moves to f64: bounds f32 rounding growth.
const BLOCK: usize = 1024;

/// Σ f(x) over n elements: f32 lanes within blocks of BLOCK, f64 across them, in a fixed order.
/// f must map the zero lanes of a partial load to 0.
#[inline(always)]
unsafe fn block_sum(x: *const f32, n: usize, f: impl Fn(V) -> V) -> f64 {
    let mut total = 0.0f64;
    let mut start = 0;
    while start < n {
        let len = if n - start < BLOCK { n - start } else { BLOCK };
        let p = x.add(start);
        let body = len - len % LANES;
        let mut acc = splat(0.0);
        let mut i = 0;
        while i < body {
            acc = add(acc, f(load(p.add(i))));
            i += LANES;
        }
        if i < len {
            acc = add(acc, f(load_partial(p.add(i), len - i)));
        }
        total += hsum(acc) as f64;
        start += len;
    }
    total
}

/// mean |x| over n > 0 elements.
pub unsafe fn mean_abs(x: *const f32, n: usize) -> f32 {
    (block_sum(x, n, abs) / n as f64) as f32
}

/// Σ x² over n elements: what global gradient clipping adds up over every parameter's gradient.
pub unsafe fn sum_squares(x: *const f32, n: usize) -> f64 {
    block_sum(x, n, |v| mul(v, v))
}
