//! The elementwise and row kernels against float64 loops, at lengths that take every path: groups
//! of GROUP vectors, single vectors, and 1–3 float tails (GROUP·LANES = 24).
use super::{assert_close, Guarded, Rng, U};
use crate::{activation, bias, dropout, embedding, loss, optim, reduce};

const LENGTHS: [usize; 12] = [1, 2, 3, 4, 5, 7, 23, 24, 25, 27, 65, 1027];

fn gelu64(x: f64) -> f64 {
    // 1 + erf(z) = erfc(-z): no cancellation for negative x.
    0.5 * x * libm::erfc(-x / std::f64::consts::SQRT_2)
}

#[test]
fn gelu_forward_and_backward() {
    let mut rng = Rng::new(3);
    for n in LENGTHS {
        let x = rng.vec(n, -4.0, 4.0);
        let mut out = Guarded::new(&vec![9.0; n]);
        unsafe { activation::gelu_forward(out.ptr(), x.as_ptr(), n, 0, 1) };
        let want: Vec<f64> = x.iter().map(|&v| gelu64(v as f64)).collect();
        // math.rs: relative error ≤ 2e-6 for |x| ≤ 4 (erfc's f32 exponent rounding).
        assert_close(&format!("gelu_forward n={n}"), out.values(), &want, |i| 2e-6 * want[i].abs() + 1e-9);

        let out = out.values().to_vec();
        let dout = rng.vec(n, -1.0, 1.0);
        let d0 = rng.vec(n, -1.0, 1.0);
        let mut dinp = Guarded::new(&d0);
        unsafe { activation::gelu_backward(dinp.ptr(), x.as_ptr(), out.as_ptr(), dout.as_ptr(), n, 0, 1) };
        let grad = |x: f64| 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2) + x * (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let want: Vec<f64> = (0..n).map(|i| d0[i] as f64 + grad(x[i] as f64) * dout[i] as f64).collect();
        assert_close(&format!("gelu_backward n={n}"), dinp.values(), &want, |_| 4e-6);
    }
}

#[test]
fn softmax_cross_entropy_forward_and_backward() {
    let mut rng = Rng::new(4);
    for v in LENGTHS {
        let n = 3;
        let logits = rng.vec(n * v, -8.0, 8.0);
        let targets: Vec<u32> = (0..n).map(|_| rng.below(v) as u32).collect();
        let mut probs = Guarded::new(&vec![0.0; n * v]);
        let mut losses = Guarded::new(&vec![0.0; n]);
        let mean = unsafe { loss::softmax_xent_forward(losses.ptr(), probs.ptr(), logits.as_ptr(), targets.as_ptr(), n, v, 0, 1) };
        let mut want_p = vec![0.0; n * v];
        let mut want_l = vec![0.0; n];
        for r in 0..n {
            let row = &logits[r * v..(r + 1) * v];
            let mx = row.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x as f64));
            let sum: f64 = row.iter().map(|&x| (x as f64 - mx).exp()).sum();
            for j in 0..v {
                want_p[r * v + j] = (row[j] as f64 - mx).exp() / sum;
            }
            want_l[r] = sum.ln() + mx - row[targets[r] as usize] as f64;
        }
        assert_close(&format!("probs v={v}"), probs.values(), &want_p, |i| 1e-6 * want_p[i] + 1e-9);
        assert_close(&format!("losses v={v}"), losses.values(), &want_l, |_| 2e-6);
        let want_mean = want_l.iter().sum::<f64>() / n as f64;
        assert!((mean as f64 - want_mean).abs() <= 2e-6, "mean loss {mean} want {want_mean}");
        // softmax_forward: the same probabilities, bit for bit, without targets.
        let mut alone = Guarded::new(&vec![0.0; n * v]);
        unsafe { loss::softmax_forward(alone.ptr(), logits.as_ptr(), n, v, 0, 1) };
        assert_eq!(alone.values(), probs.values(), "softmax_forward v={v}");
        // The null pointer for losses: the mean alone.
        let again = unsafe { loss::softmax_xent_forward(core::ptr::null_mut(), probs.ptr(), logits.as_ptr(), targets.as_ptr(), n, v, 0, 1) };
        assert_eq!(again, mean);

        let p = probs.values().to_vec();
        let dlosses = rng.vec(n, 0.1, 1.0);
        let d0 = rng.vec(n * v, -1.0, 1.0);
        let mut dlogits = Guarded::new(&d0);
        unsafe { loss::softmax_xent_backward(dlogits.ptr(), dlosses.as_ptr(), p.as_ptr(), targets.as_ptr(), n, v, 0, 1) };
        let want: Vec<f64> = (0..n * v)
            .map(|i| {
                let (r, j) = (i / v, i % v);
                let onehot = if j == targets[r] as usize { 1.0 } else { 0.0 };
                d0[i] as f64 + (p[i] as f64 - onehot) * dlosses[r] as f64
            })
            .collect();
        assert_close(&format!("dlogits v={v}"), dlogits.values(), &want, |i| 4.0 * U * (want[i].abs() + 1.0));
    }
}

#[test]
fn bias_forward_and_backward() {
    let mut rng = Rng::new(5);
    for cols in LENGTHS {
        let rows = 37;
        let b = rng.vec(cols, -1.0, 1.0);
        let x = rng.vec(rows * cols, -1.0, 1.0);
        let mut out = Guarded::new(&x);
        unsafe { bias::bias_forward(out.ptr(), b.as_ptr(), rows, cols, 0, 1) };
        let want: Vec<f64> = (0..rows * cols).map(|i| x[i] as f64 + b[i % cols] as f64).collect();
        assert_close(&format!("bias_forward cols={cols}"), out.values(), &want, |i| U * want[i].abs());

        let mut db = Guarded::new(&b);
        unsafe { bias::bias_backward(db.ptr(), x.as_ptr(), rows, cols, 0, 1) };
        let want: Vec<f64> = (0..cols).map(|j| b[j] as f64 + (0..rows).map(|r| x[r * cols + j] as f64).sum::<f64>()).collect();
        assert_close(&format!("bias_backward cols={cols}"), db.values(), &want, |_| (rows as f64 + 1.0) * U * (rows as f64 + 1.0));
    }
}

#[test]
fn embedding_gather_and_scatter_add_with_repeated_indices() {
    let mut rng = Rng::new(6);
    for c in LENGTHS {
        let (rows, n) = (7, 40); // 40 indices into 7 rows: many repeats
        let weight = rng.vec(rows * c, -1.0, 1.0);
        let idx: Vec<u32> = (0..n).map(|_| rng.below(rows) as u32).collect();
        let mut out = Guarded::new(&vec![0.0; n * c]);
        unsafe { embedding::embedding_forward(out.ptr(), idx.as_ptr(), weight.as_ptr(), n, c, 0, 1) };
        let want: Vec<f64> = (0..n * c).map(|i| weight[idx[i / c] as usize * c + i % c] as f64).collect();
        assert_close(&format!("embedding_forward c={c}"), out.values(), &want, |_| 0.0);

        let dout = rng.vec(n * c, -1.0, 1.0);
        let mut dw = Guarded::new(&weight);
        unsafe { embedding::embedding_backward(dw.ptr(), idx.as_ptr(), dout.as_ptr(), n, c, 0, 1) };
        let mut want: Vec<f64> = weight.iter().map(|&w| w as f64).collect();
        for i in 0..n * c {
            want[idx[i / c] as usize * c + i % c] += dout[i] as f64;
        }
        assert_close(&format!("embedding_backward c={c}"), dw.values(), &want, |_| (n as f64 + 1.0) * U * (n as f64 + 1.0));
    }
}

#[test]
fn axpy_sgd_and_adam() {
    let mut rng = Rng::new(7);
    for n in LENGTHS {
        let x = rng.vec(n, -1.0, 1.0);
        let y0 = rng.vec(n, -1.0, 1.0);
        let mut y = Guarded::new(&y0);
        unsafe { optim::axpy(y.ptr(), x.as_ptr(), n, 0.3, 0, 1) };
        let want: Vec<f64> = (0..n).map(|i| y0[i] as f64 + 0.3f32 as f64 * x[i] as f64).collect();
        assert_close(&format!("axpy n={n}"), y.values(), &want, |_| 4.0 * U);

        let mut p = Guarded::new(&y0);
        unsafe { optim::sgd_step(p.ptr(), x.as_ptr(), n, 0.1, 0, 1) };
        let want: Vec<f64> = (0..n).map(|i| y0[i] as f64 - 0.1f32 as f64 * x[i] as f64).collect();
        assert_close(&format!("sgd_step n={n}"), p.values(), &want, |_| 4.0 * U);

        // AdamW's third step from nonzero moments, with decoupled decay and a clipping factor on the
        // gradient; step scalars as the TypeScript caller computes them.
        let (lr, b1, b2, eps, t, wd, clip) = (1e-2f64, 0.9f64, 0.999f64, 1e-8f64, 3, 0.1f64, 0.5f64);
        let m0 = rng.vec(n, -0.1, 0.1);
        let v0 = rng.vec(n, 0.0, 0.01);
        let (mut p, mut m, mut v) = (Guarded::new(&y0), Guarded::new(&m0), Guarded::new(&v0));
        let step_size = lr / (1.0 - b1.powi(t));
        let inv_sqrt_bc2 = 1.0 / (1.0 - b2.powi(t)).sqrt();
        // The kernel's scalars are f32: the reference uses the same rounded values.
        let [step_size, b1, b2, omb1, omb2, eps, inv_sqrt_bc2, decay, clip] =
            [step_size, b1, b2, 1.0 - b1, 1.0 - b2, eps, inv_sqrt_bc2, 1.0 - lr * wd, clip].map(|s| s as f32);
        unsafe { optim::adam_step(p.ptr(), x.as_ptr(), m.ptr(), v.ptr(), n, step_size, b1, b2, omb1, omb2, eps, inv_sqrt_bc2, decay, clip, 0, 1) };
        let [step_size, b1, b2, omb1, omb2, eps, inv_sqrt_bc2, decay, clip] =
            [step_size, b1, b2, omb1, omb2, eps, inv_sqrt_bc2, decay, clip].map(f64::from);
        let mut want = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        let mut tol = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for i in 0..n {
            let g = clip * x[i] as f64;
            let (m1, v1) = (b1 * m0[i] as f64 + omb1 * g, b2 * v0[i] as f64 + omb2 * g * g);
            let denom = v1.sqrt() * inv_sqrt_bc2 + eps;
            let update = step_size * m1 / denom;
            // Each sum's rounding is relative to its terms, which may cancel; the update inherits m's error.
            let tol_m = 3.0 * U * ((b1 * m0[i] as f64).abs() + (omb1 * g).abs());
            let tol_v = 3.0 * U * ((b2 * v0[i] as f64).abs() + omb2 * g * g);
            want.0[i] = decay * y0[i] as f64 - update;
            want.1[i] = m1;
            want.2[i] = v1;
            tol.0[i] = 2.0 * U * (y0[i] as f64).abs() + step_size * tol_m / denom + 8.0 * U * update.abs();
            tol.1[i] = tol_m;
            tol.2[i] = tol_v;
        }
        assert_close(&format!("adam param n={n}"), p.values(), &want.0, |i| tol.0[i]);
        assert_close(&format!("adam m n={n}"), m.values(), &want.1, |i| tol.1[i]);
        assert_close(&format!("adam v n={n}"), v.values(), &want.2, |i| tol.2[i]);
    }
}

#[test]
fn sum_squares_over_blocks() {
    let mut rng = Rng::new(10);
    for n in [1, 3, 5, 1023, 1024, 1025, 100_003] {
        let x = rng.vec(n, -2.0, 2.0);
        let got = unsafe { reduce::sum_squares(x.as_ptr(), n) };
        let want = x.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>();
        assert!((got - want).abs() <= 1024.0 * U * want, "sum_squares n={n}: {got} want {want}");
    }
}

#[test]
fn mean_abs_over_blocks() {
    let mut rng = Rng::new(8);
    for n in [1, 3, 5, 1023, 1024, 1025, 100_003] {
        let x = rng.vec(n, -2.0, 2.0);
        let got = unsafe { reduce::mean_abs(x.as_ptr(), n) };
        let want = x.iter().map(|&v| (v as f64).abs()).sum::<f64>() / n as f64;
        // f32 lanes inside each block of 1024, f64 across blocks.
        assert!((got as f64 - want).abs() <= 1024.0 * U * want, "mean_abs n={n}: {got} want {want}");
    }
}

#[test]
fn dropout_keeps_a_fraction_scales_it_and_the_backward_uses_the_same_mask() {
    let n = 100_000;
    let x: Vec<f32> = (0..n).map(|i| 1.0 + (i % 7) as f32).collect();
    let (p, seed) = (0.2f64, 12345u32);
    let threshold = (p * 4_294_967_296.0).round() as u32;
    let scale = (1.0 / (1.0 - p)) as f32;
    let mut out = Guarded::new(&vec![9.0; n]);
    unsafe { dropout::dropout_forward(out.ptr(), x.as_ptr(), n, seed, threshold, scale, 0, 1) };
    let kept: Vec<bool> = out.values().iter().map(|&v| v != 0.0).collect();
    let fraction = kept.iter().filter(|&&k| k).count() as f64 / n as f64;
    assert!((fraction - 0.8).abs() < 0.005, "kept {fraction}");
    for i in 0..n {
        assert_eq!(out.values()[i], if kept[i] { x[i] * scale } else { 0.0 });
    }
    let mut dx = Guarded::new(&vec![1.0; n]);
    unsafe { dropout::dropout_backward(dx.ptr(), x.as_ptr(), n, seed, threshold, scale, 0, 1) };
    for i in 0..n {
        assert_eq!(dx.values()[i], if kept[i] { 1.0 + x[i] * scale } else { 1.0 });
    }
    // Another seed, another mask; threshold 0 keeps everything.
    let mut other = Guarded::new(&vec![0.0; n]);
    unsafe { dropout::dropout_forward(other.ptr(), x.as_ptr(), n, seed + 1, threshold, scale, 0, 1) };
    assert!(other.values().iter().zip(&kept).filter(|(v, &k)| (**v != 0.0) != k).count() > n / 10);
    unsafe { dropout::dropout_forward(other.ptr(), x.as_ptr(), n, seed, 0, 1.0, 0, 1) };
    assert_eq!(other.values(), &x[..]);
}
