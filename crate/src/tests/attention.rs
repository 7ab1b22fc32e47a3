//! Causal self-attention against a float64 re-computation, and its backward against central finite
//! differences of L = Σ dout·out with respect to every q, k and v.
use super::{assert_close, Guarded, Rng};
use crate::attention::{attention_backward, attention_forward, attention_last, AttnDropout};

/// out (B, T, C) from qkv (B, T, 3C) in float64: softmax(q·kᵀ/√hs) over the causal prefix, times v.
fn attention64(qkv: &[f64], batch: usize, t: usize, c: usize, heads: usize) -> Vec<f64> {
    let hs = c / heads;
    let at = |b: usize, i: usize, part: usize, h: usize, d: usize| qkv[(b * t + i) * 3 * c + part * c + h * hs + d];
    let mut out = vec![0.0; batch * t * c];
    for b in 0..batch {
        for h in 0..heads {
            for i in 0..t {
                let pre: Vec<f64> =
                    (0..=i).map(|j| (0..hs).map(|d| at(b, i, 0, h, d) * at(b, j, 1, h, d)).sum::<f64>() / (hs as f64).sqrt()).collect();
                let m = pre.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let e: Vec<f64> = pre.iter().map(|p| (p - m).exp()).collect();
                let sum: f64 = e.iter().sum();
                for d in 0..hs {
                    out[(b * t + i) * c + h * hs + d] = (0..=i).map(|j| e[j] / sum * at(b, j, 2, h, d)).sum();
                }
            }
        }
    }
    out
}

#[test]
fn forward_and_backward_against_float64() {
    let mut rng = Rng::new(21);
    for (batch, t, c, heads) in [(1, 1, 4, 1), (2, 5, 6, 2), (1, 9, 8, 4), (2, 4, 12, 3)] {
        let qkv = rng.vec(batch * t * 3 * c, -1.5, 1.5);
        let mut out = Guarded::new(&vec![7.0; batch * t * c]);
        let mut att = Guarded::new(&vec![7.0; batch * heads * t * t]);
        unsafe { attention_forward(out.ptr(), att.ptr(), qkv.as_ptr(), batch, t, c, heads, AttnDropout::NONE, 0, 1) };
        let q64: Vec<f64> = qkv.iter().map(|&v| v as f64).collect();
        let want = attention64(&q64, batch, t, c, heads);
        let what = format!("attention B={batch} T={t} C={c} heads={heads}");
        assert_close(&format!("{what} out"), out.values(), &want, |i| 2e-6 * (1.0 + want[i].abs()));
        // Causal: nothing above the diagonal; each row of weights sums to 1.
        let a = att.values();
        for row in 0..batch * heads * t {
            let i = row % t;
            assert!(a[row * t + i + 1..(row + 1) * t].iter().all(|&w| w == 0.0), "{what}: weight above the diagonal");
            assert!((a[row * t..row * t + i + 1].iter().map(|&w| w as f64).sum::<f64>() - 1.0).abs() < 1e-6);
        }

        let dout = rng.vec(batch * t * c, -1.0, 1.0);
        let loss = |x: &[f64]| attention64(x, batch, t, c, heads).iter().zip(&dout).map(|(o, d)| o * *d as f64).sum::<f64>();
        let want_d: Vec<f64> = (0..q64.len())
            .map(|i| {
                let (mut p, mut m) = (q64.clone(), q64.clone());
                p[i] += 1e-6;
                m[i] -= 1e-6;
                (loss(&p) - loss(&m)) / 2e-6 + 1.0 // the kernel accumulates onto ones
            })
            .collect();
        let mut dqkv = Guarded::new(&vec![1.0; qkv.len()]);
        let mut workspace = vec![0.0f32; t];
        unsafe {
            attention_backward(
                dqkv.ptr(),
                dout.as_ptr(),
                qkv.as_ptr(),
                att.values().as_ptr(),
                batch,
                t,
                c,
                heads,
                AttnDropout::NONE,
                workspace.as_mut_ptr(),
                0,
                1,
            )
        };
        assert_close(&format!("{what} dqkv"), dqkv.values(), &want_d, |_| 2e-5);
    }
}

#[test]
fn last_position_alone_is_the_full_pass_last_row_bit_for_bit() {
    let mut rng = Rng::new(23);
    for (t, c, heads) in [(1, 4, 1), (5, 6, 2), (9, 8, 4), (17, 12, 3), (64, 128, 4)] {
        let qkv = rng.vec(t * 3 * c, -1.5, 1.5);
        let mut full = vec![0.0; t * c];
        let mut att = vec![0.0; heads * t * t];
        unsafe { attention_forward(full.as_mut_ptr(), att.as_mut_ptr(), qkv.as_ptr(), 1, t, c, heads, AttnDropout::NONE, 0, 1) };
        let mut last = Guarded::new(&vec![7.0; c]);
        let mut workspace = Guarded::new(&vec![7.0; t]);
        unsafe { attention_last(last.ptr(), qkv.as_ptr(), t, c, heads, workspace.ptr()) };
        let want = &full[(t - 1) * c..];
        assert!(
            last.values().iter().zip(want).all(|(a, b)| a.to_bits() == b.to_bits()),
            "attention_last T={t} C={c} heads={heads}: {:?} != {want:?}",
            last.values()
        );
        // The workspace holds the last head's weights, which are the full pass's.
        let last_row = &att[((heads - 1) * t + t - 1) * t..][..t];
        assert_eq!(workspace.values(), last_row);
    }
}

#[test]
fn four_dot_products_at_once_are_four_dot_products_bit_for_bit() {
    use crate::attention::{dot, dot4};
    use crate::simd::store;
    let mut rng = Rng::new(29);
    for n in [1, 2, 3, 4, 5, 7, 8, 13, 32, 64] {
        let a = rng.vec(n, -2.0, 2.0);
        let bs: Vec<Vec<f32>> = (0..4).map(|_| rng.vec(n, -2.0, 2.0)).collect();
        let mut lanes = [0.0f32; 4];
        unsafe { store(lanes.as_mut_ptr(), dot4(a.as_ptr(), [bs[0].as_ptr(), bs[1].as_ptr(), bs[2].as_ptr(), bs[3].as_ptr()], n)) };
        for k in 0..4 {
            let one = unsafe { dot(a.as_ptr(), bs[k].as_ptr(), n) };
            assert_eq!(lanes[k].to_bits(), one.to_bits(), "n={n} k={k}");
        }
    }
}
