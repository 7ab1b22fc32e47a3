//! Reductions used to inspect tensors (the notebook's "mean abs values" cell).
use crate::simd::*;

/// Elements summed in f32 lanes before the partial sum moves to f64: bounds f32 rounding growth.
const BLOCK: usize = 1024;

/// mean |x| over n > 0 elements.
pub unsafe fn mean_abs(x: *const f32, n: usize) -> f32 {
    let mut total = 0.0f64;
    let mut start = 0;
    while start < n {
        let len = if n - start < BLOCK { n - start } else { BLOCK };
        let p = x.add(start);
        let body = len - len % LANES;
        let mut acc = splat(0.0);
        let mut i = 0;
        while i < body {
            acc = add(acc, abs(load(p.add(i))));
            i += LANES;
        }
        if i < len {
            acc = add(acc, abs(load_partial(p.add(i), len - i)));
        }
        total += hsum(acc) as f64;
        start += len;
    }
    (total / n as f64) as f32
}

/// Σ x² over n elements, f32 lanes within blocks of BLOCK and f64 across them: the squared norm
/// that global gradient clipping adds up over every parameter's gradient.
pub unsafe fn sum_squares(x: *const f32, n: usize) -> f64 {
    let mut total = 0.0f64;
    let mut start = 0;
    while start < n {
        let len = if n - start < BLOCK { n - start } else { BLOCK };
        let p = x.add(start);
        let body = len - len % LANES;
        let mut acc = splat(0.0);
        let mut i = 0;
        while i < body {
            let v = load(p.add(i));
            acc = add(acc, mul(v, v));
            i += LANES;
        }
        if i < len {
            let v = load_partial(p.add(i), len - i);
            acc = add(acc, mul(v, v));
        }
        total += hsum(acc) as f64;
        start += len;
    }
    total
}
