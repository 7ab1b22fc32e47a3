//! exp, erf and ln over dense grids against float64, with the bounds crate/src/math.rs states.
use crate::abi::{math_erf, math_exp, math_ln};

/// n evenly spaced points of [lo, hi], both ends included.
fn grid(lo: f64, hi: f64, n: usize) -> Vec<f32> {
    (0..n).map(|i| (lo + (hi - lo) * i as f64 / (n - 1) as f64) as f32).collect()
}

fn apply(f: unsafe fn(*mut f32, *const f32, usize), x: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0; x.len()];
    unsafe { f(out.as_mut_ptr(), x.as_ptr(), x.len()) };
    out
}

/// The largest error over x, and the x where it is.
fn max_error(x: &[f32], y: &[f32], reference: impl Fn(f64) -> f64, relative: bool) -> (f64, f32) {
    let mut worst = (0.0, f32::NAN);
    for (&xi, &yi) in x.iter().zip(y) {
        let r = reference(xi as f64);
        let e = if relative { (yi as f64 - r).abs() / r.abs() } else { (yi as f64 - r).abs() };
        if e > worst.0 {
            worst = (e, xi);
        }
    }
    worst
}

#[test]
fn exp_relative_error_below_1e_7_and_zero_below_range() {
    let x = grid(-87.33, 88.37, 2_000_001);
    let (err, at) = max_error(&x, &apply(math_exp, &x), f64::exp, true);
    assert!(err <= 1e-7, "exp: relative error {err:e} at x = {at}");
    assert!(err > 1e-9, "exp: an error of {err:e} means the reference is not being compared");
    assert_eq!(apply(math_exp, &[-88.0, -1000.0, 0.0, f32::NEG_INFINITY]), [0.0, 0.0, 1.0, 0.0]);
}

#[test]
fn erf_absolute_error_below_5e_7() {
    let x = grid(-10.0, 10.0, 2_000_001);
    let (err, at) = max_error(&x, &apply(math_erf, &x), libm::erf, false);
    assert!(err <= 5e-7, "erf: absolute error {err:e} at x = {at}");
}

#[test]
fn ln_relative_error_away_from_one_and_absolute_near_it() {
    // e^-80 .. e^80: every binade of normal floats the kernels meet.
    let wide: Vec<f32> = grid(-80.0, 80.0, 1_000_001).iter().map(|&e| (e as f64).exp() as f32).collect();
    let far: Vec<f32> = wide.into_iter().filter(|&v| !(0.9..1.1).contains(&v)).collect();
    let (err, at) = max_error(&far, &apply(math_ln, &far), f64::ln, true);
    assert!(err <= 2.5e-7, "ln: relative error {err:e} at x = {at}");
    let near = grid(0.9, 1.1, 1_000_001);
    let (err, at) = max_error(&near, &apply(math_ln, &near), f64::ln, false);
    assert!(err <= 3e-8, "ln: absolute error {err:e} at x = {at}");
}
