//! LayerNorm against float64: the forward's values, mean and 1/σ; the backward against central
//! finite differences of L = Σ dout·LN(x) computed in float64, with and without a bias.
use super::{assert_close, Guarded, Rng};
use crate::layernorm::{layernorm_backward, layernorm_forward};

const EPS: f64 = 1e-5;

/// LN of each row in float64: (x - μ)/√(var + eps)·w + b.
fn ln64(x: &[f64], w: &[f64], b: &[f64], rows: usize, c: usize) -> Vec<f64> {
    let mut out = vec![0.0; rows * c];
    for r in 0..rows {
        let row = &x[r * c..(r + 1) * c];
        let m = row.iter().sum::<f64>() / c as f64;
        let var = row.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / c as f64;
        for j in 0..c {
            out[r * c + j] = (row[j] - m) / (var + EPS).sqrt() * w[j] + b[j];
        }
    }
    out
}

#[test]
fn forward_and_backward_against_float64() {
    let mut rng = Rng::new(9);
    for c in [1usize, 3, 4, 5, 8, 31, 65, 128] {
        for with_bias in [true, false] {
            let rows = 3;
            let x = rng.vec(rows * c, -2.0, 2.0);
            let w = rng.vec(c, 0.5, 1.5);
            let b = if with_bias { rng.vec(c, -0.5, 0.5) } else { vec![0.0; c] };
            let bias_ptr = if with_bias { b.as_ptr() } else { core::ptr::null() };
            let (mut out, mut mean, mut rstd) = (Guarded::new(&vec![0.0; rows * c]), Guarded::new(&vec![0.0; rows]), Guarded::new(&vec![0.0; rows]));
            unsafe { layernorm_forward(out.ptr(), mean.ptr(), rstd.ptr(), x.as_ptr(), w.as_ptr(), bias_ptr, rows, c, EPS as f32, 0, 1) };
            let f64s = |v: &[f32]| v.iter().map(|&a| a as f64).collect::<Vec<_>>();
            let want = ln64(&f64s(&x), &f64s(&w), &f64s(&b), rows, c);
            let what = format!("layernorm_forward c={c} bias={with_bias}");
            assert_close(&what, out.values(), &want, |i| 2e-6 * (1.0 + want[i].abs()));

            let dout = rng.vec(rows * c, -1.0, 1.0);
            let loss = |x: &[f64], w: &[f64], b: &[f64]| ln64(x, w, b, rows, c).iter().zip(&dout).map(|(o, d)| o * *d as f64).sum::<f64>();
            let grad = |v: &[f64], at: &dyn Fn(&[f64]) -> f64| -> Vec<f64> {
                (0..v.len())
                    .map(|i| {
                        let h = 1e-6;
                        let (mut p, mut m) = (v.to_vec(), v.to_vec());
                        p[i] += h;
                        m[i] -= h;
                        (at(&p) - at(&m)) / (2.0 * h)
                    })
                    .collect()
            };
            let (x64, w64, b64) = (f64s(&x), f64s(&w), f64s(&b));
            let want_dx = grad(&x64, &|v| loss(v, &w64, &b64));
            let want_dw = grad(&w64, &|v| loss(&x64, v, &b64));
            let want_db: Vec<f64> = (0..c).map(|j| (0..rows).map(|r| dout[r * c + j] as f64).sum()).collect();
            // Accumulates: start from ones, expect ones + gradient.
            let (mut dx, mut dw, mut db) = (Guarded::new(&vec![1.0; rows * c]), Guarded::new(&vec![1.0; c]), Guarded::new(&vec![1.0; c]));
            let dbias_ptr = if with_bias { db.ptr() } else { core::ptr::null_mut() };
            unsafe {
                layernorm_backward(
                    dx.ptr(),
                    dw.ptr(),
                    dbias_ptr,
                    dout.as_ptr(),
                    x.as_ptr(),
                    w.as_ptr(),
                    mean.values().as_ptr(),
                    rstd.values().as_ptr(),
                    rows,
                    c,
                    0,
                    1,
                )
            };
            let plus1 = |v: &[f64]| v.iter().map(|g| g + 1.0).collect::<Vec<_>>();
            let what = format!("layernorm_backward c={c} bias={with_bias}");
            assert_close(&format!("{what} dinp"), dx.values(), &plus1(&want_dx), |_| 2e-5);
            assert_close(&format!("{what} dweight"), dw.values(), &plus1(&want_dw), |_| 2e-5);
            let db_want = if with_bias { plus1(&want_db) } else { vec![1.0; c] };
            assert_close(&format!("{what} dbias"), db.values(), &db_want, |_| 1e-5);
        }
    }
}
