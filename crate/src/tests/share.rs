//! Threads divide each kernel's work with `share` (see share.rs). Here every part of a kernel is run
//! one after another, for 2 to 5 parts, on copies of the same inputs: the outputs must equal the
//! one-part call's bit for bit, which is what makes training give the same bits on any number of
//! threads. A part that wrote outside its share, or computed an element another way, shows here.
use super::Rng;
use crate::attention::{attention_backward, attention_forward, AttnDropout};
use crate::dropout::ELEMENTS;
use crate::share::{share, share_aligned};
use crate::{activation, bias, dropout, embedding, fill, layernorm, loss, matmul, optim};

/// Runs `kernel(outputs, part, parts)` for every part of 1..=5 parts on fresh copies of `outputs`,
/// and checks that each split leaves exactly the bits of parts = 1 in every output.
fn same_bits_for_any_parts(what: &str, outputs: Vec<Vec<f32>>, kernel: impl Fn(&mut [Vec<f32>], usize, usize)) {
    let mut one = outputs.clone();
    kernel(&mut one, 0, 1);
    for parts in 2..=5 {
        let mut split = outputs.to_vec();
        for part in 0..parts {
            kernel(&mut split, part, parts);
        }
        for (o, (a, b)) in one.iter().zip(&split).enumerate() {
            let differ = a.iter().zip(b).position(|(x, y)| x.to_bits() != y.to_bits());
            assert!(differ.is_none(), "{what}: output {o}, element {} differs with {parts} parts", differ.unwrap());
        }
    }
    // The kernel must have computed something, or the comparison proves nothing.
    assert!(one.iter().zip(&outputs).any(|(a, b)| a != b), "{what}: the kernel changed no output");
}

#[test]
fn shares_cover_every_unit_once_in_order() {
    for units in 0..40 {
        for parts in 1..=9 {
            let mut next = 0;
            for part in 0..parts {
                let r = share(units, part, parts);
                assert_eq!(r.start, next, "units={units} parts={parts} part={part}");
                assert!(r.len() <= units / parts + 1);
                next = r.end;
            }
            assert_eq!(next, units);
            assert!(share(units, parts, parts).is_empty());
            let mut next = 0;
            for part in 0..parts {
                let r = share_aligned(units, 4, part, parts);
                assert_eq!(r.start, next);
                assert!(r.start.is_multiple_of(4) || r.is_empty());
                next = r.end;
            }
            assert_eq!(next, units);
        }
    }
}

#[test]
fn matmul_in_every_form_and_shape() {
    let mut rng = Rng::new(41);
    let mut workspace = vec![0.0; 5 * matmul::WORKSPACE_FLOATS];
    let ws = workspace.as_mut_ptr();
    // Tall (rows divided), wide (columns divided), one row, ragged edges, and blocks past KC/MC/NC.
    for (m, k, n) in [(37, 19, 11), (6, 23, 70), (1, 300, 45), (1, 9, 3), (3, 4, 2), (130, 260, 20), (9, 17, 530), (768, 128, 65)] {
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            for acc in [false, true] {
                let a = rng.vec(m * k, -1.0, 1.0);
                let b = rng.vec(k * n, -1.0, 1.0);
                let c = rng.vec(m * n, -1.0, 1.0);
                same_bits_for_any_parts(&format!("matmul {m}x{k}x{n} ta={ta} tb={tb} acc={acc}"), vec![c], |o, part, parts| unsafe {
                    matmul::matmul(o[0].as_mut_ptr(), a.as_ptr(), b.as_ptr(), m, k, n, ta, tb, acc, ws, part, parts)
                });
            }
        }
    }
    let (batch, m, k, n) = (3, 10, 7, 13);
    let a = rng.vec(batch * m * k, -1.0, 1.0);
    let b = rng.vec(k * n, -1.0, 1.0);
    same_bits_for_any_parts("matmul_batched", vec![vec![0.0; batch * m * n]], |o, part, parts| unsafe {
        matmul::matmul_batched(o[0].as_mut_ptr(), a.as_ptr(), b.as_ptr(), batch, m, k, n, m * k, 0, false, false, false, ws, part, parts)
    });
}

#[test]
fn row_and_column_kernels() {
    let mut rng = Rng::new(42);
    for (rows, cols) in [(1, 1), (5, 3), (13, 29), (70, 130)] {
        let x = rng.vec(rows * cols, -2.0, 2.0);
        let w = rng.vec(cols, 0.5, 1.5);
        let bv = rng.vec(cols, -0.5, 0.5);
        let what = |k: &str| format!("{k} rows={rows} cols={cols}");
        same_bits_for_any_parts(&what("bias_forward"), vec![x.clone()], |o, part, parts| unsafe {
            bias::bias_forward(o[0].as_mut_ptr(), bv.as_ptr(), rows, cols, part, parts)
        });
        same_bits_for_any_parts(&what("bias_backward"), vec![bv.clone()], |o, part, parts| unsafe {
            bias::bias_backward(o[0].as_mut_ptr(), x.as_ptr(), rows, cols, part, parts)
        });
        let stats = || vec![vec![0.0; rows * cols], vec![0.0; rows], vec![0.0; rows]];
        let layernorm = |o: &mut [Vec<f32>], part: usize, parts: usize| unsafe {
            let [out, mean, rstd] = o else { unreachable!() };
            let (out, mean, rstd) = (out.as_mut_ptr(), mean.as_mut_ptr(), rstd.as_mut_ptr());
            layernorm::layernorm_forward(out, mean, rstd, x.as_ptr(), w.as_ptr(), bv.as_ptr(), rows, cols, 1e-5, part, parts)
        };
        let mut forward = stats();
        layernorm(&mut forward, 0, 1);
        same_bits_for_any_parts(&what("layernorm_forward"), stats(), layernorm);
        let dout = rng.vec(rows * cols, -1.0, 1.0);
        let grads = [rng.vec(rows * cols, -1.0, 1.0), rng.vec(cols, -1.0, 1.0), rng.vec(cols, -1.0, 1.0)];
        let (mean, rstd) = (&forward[1], &forward[2]);
        same_bits_for_any_parts(&what("layernorm_backward"), grads.to_vec(), |o, part, parts| unsafe {
            let [dinp, dweight, dbias] = o else { unreachable!() };
            let (dinp, dweight, dbias) = (dinp.as_mut_ptr(), dweight.as_mut_ptr(), dbias.as_mut_ptr());
            layernorm::layernorm_backward(
                dinp,
                dweight,
                dbias,
                dout.as_ptr(),
                x.as_ptr(),
                w.as_ptr(),
                mean.as_ptr(),
                rstd.as_ptr(),
                rows,
                cols,
                part,
                parts,
            )
        });
        let targets: Vec<u32> = (0..rows).map(|_| rng.below(cols) as u32).collect();
        same_bits_for_any_parts(&what("softmax_forward"), vec![vec![0.0; rows * cols]], |o, part, parts| unsafe {
            loss::softmax_forward(o[0].as_mut_ptr(), x.as_ptr(), rows, cols, part, parts)
        });
        same_bits_for_any_parts(&what("softmax_xent_forward"), vec![vec![0.0; rows], vec![0.0; rows * cols]], |o, part, parts| unsafe {
            let [losses, probs] = o else { unreachable!() };
            loss::softmax_xent_forward(losses.as_mut_ptr(), probs.as_mut_ptr(), x.as_ptr(), targets.as_ptr(), rows, cols, part, parts);
        });
        let dl = vec![1.0 / rows as f32; rows];
        same_bits_for_any_parts(&what("softmax_xent_backward"), vec![dout.clone()], |o, part, parts| unsafe {
            loss::softmax_xent_backward(o[0].as_mut_ptr(), dl.as_ptr(), x.as_ptr(), targets.as_ptr(), rows, cols, part, parts)
        });
        // Embedding rows of a (vocab = cols + 1, rows) table, with repeated indices.
        let (vocab, c) = (cols + 1, rows);
        let table = rng.vec(vocab * c, -1.0, 1.0);
        let idx: Vec<u32> = (0..cols).map(|_| rng.below(vocab.min(3)) as u32).collect();
        same_bits_for_any_parts(&what("embedding_forward"), vec![vec![0.0; cols * c]], |o, part, parts| unsafe {
            embedding::embedding_forward(o[0].as_mut_ptr(), idx.as_ptr(), table.as_ptr(), cols, c, part, parts)
        });
        let dtable = rng.vec(cols * c, -1.0, 1.0);
        same_bits_for_any_parts(&what("embedding_backward"), vec![table.clone()], |o, part, parts| unsafe {
            embedding::embedding_backward(o[0].as_mut_ptr(), idx.as_ptr(), dtable.as_ptr(), cols, c, part, parts)
        });
    }
}

#[test]
fn elementwise_kernels() {
    let mut rng = Rng::new(43);
    for n in [1, 7, 64, 65, 1000] {
        let x = rng.vec(n, -3.0, 3.0);
        let g = rng.vec(n, -1.0, 1.0);
        let what = |k: &str| format!("{k} n={n}");
        let mut out = vec![0.0; n];
        unsafe { activation::gelu_forward(out.as_mut_ptr(), x.as_ptr(), n, 0, 1) };
        same_bits_for_any_parts(&what("gelu_forward"), vec![vec![0.0; n]], |o, part, parts| unsafe {
            activation::gelu_forward(o[0].as_mut_ptr(), x.as_ptr(), n, part, parts)
        });
        same_bits_for_any_parts(&what("gelu_backward"), vec![g.clone()], |o, part, parts| unsafe {
            activation::gelu_backward(o[0].as_mut_ptr(), x.as_ptr(), out.as_ptr(), g.as_ptr(), n, part, parts)
        });
        let threshold = 1 << 30; // p = 1/4
        same_bits_for_any_parts(&what("dropout_forward"), vec![vec![0.0; n]], |o, part, parts| unsafe {
            dropout::dropout_forward(o[0].as_mut_ptr(), x.as_ptr(), n, 9, threshold, 4.0 / 3.0, part, parts)
        });
        same_bits_for_any_parts(&what("dropout_backward"), vec![g.clone()], |o, part, parts| unsafe {
            dropout::dropout_backward(o[0].as_mut_ptr(), x.as_ptr(), n, 9, threshold, 4.0 / 3.0, part, parts)
        });
        same_bits_for_any_parts(&what("axpy"), vec![g.clone()], |o, part, parts| unsafe {
            optim::axpy(o[0].as_mut_ptr(), x.as_ptr(), n, 0.3, part, parts)
        });
        // zero and copy write each part's elements only: split, the whole tensor is still written.
        same_bits_for_any_parts(&what("zero"), vec![g.clone()], |o, part, parts| unsafe {
            fill::zero(o[0].as_mut_ptr().cast(), n, part, parts);
            assert!(share_aligned(n, ELEMENTS, part, parts).all(|i| o[0][i] == 0.0));
        });
        same_bits_for_any_parts(&what("copy"), vec![g.clone()], |o, part, parts| unsafe {
            fill::copy(o[0].as_mut_ptr().cast(), x.as_ptr().cast(), n, part, parts);
            assert!(share_aligned(n, ELEMENTS, part, parts).all(|i| o[0][i].to_bits() == x[i].to_bits()));
        });
        same_bits_for_any_parts(&what("sgd_step"), vec![g.clone()], |o, part, parts| unsafe {
            optim::sgd_step(o[0].as_mut_ptr(), x.as_ptr(), n, 0.1, part, parts)
        });
        let state = [rng.vec(n, -1.0, 1.0), rng.vec(n, -0.1, 0.1), rng.vec(n, 0.0, 0.1)];
        same_bits_for_any_parts(&what("adam_step"), state.to_vec(), |o, part, parts| unsafe {
            let [param, m, v] = o else { unreachable!() };
            optim::adam_step(
                param.as_mut_ptr(),
                g.as_ptr(),
                m.as_mut_ptr(),
                v.as_mut_ptr(),
                n,
                1e-3,
                0.9,
                0.99,
                0.1,
                0.01,
                1e-8,
                1.2,
                0.9999,
                0.7,
                part,
                parts,
            )
        });
    }
}

#[test]
fn attention_forward_and_backward() {
    let mut rng = Rng::new(44);
    for (batch, t, c, heads) in [(1, 5, 8, 2), (3, 7, 12, 3), (2, 16, 16, 4)] {
        let qkv = rng.vec(batch * t * 3 * c, -1.5, 1.5);
        let drop = AttnDropout { seed: 5, threshold: 1 << 30, scale: 4.0 / 3.0 };
        let what = format!("attention B={batch} T={t} C={c} heads={heads}");
        let mut att = vec![0.0; batch * heads * t * t];
        let mut out = vec![0.0; batch * t * c];
        unsafe { attention_forward(out.as_mut_ptr(), att.as_mut_ptr(), qkv.as_ptr(), batch, t, c, heads, drop, 0, 1) };
        same_bits_for_any_parts(
            &format!("{what} forward"),
            vec![vec![0.0; batch * t * c], vec![0.0; batch * heads * t * t]],
            |o, part, parts| unsafe {
                let [out, att] = o else { unreachable!() };
                attention_forward(out.as_mut_ptr(), att.as_mut_ptr(), qkv.as_ptr(), batch, t, c, heads, drop, part, parts)
            },
        );
        let dout = rng.vec(batch * t * c, -1.0, 1.0);
        let mut workspace = vec![0.0; 5 * t];
        let ws = workspace.as_mut_ptr();
        same_bits_for_any_parts(&format!("{what} backward"), vec![rng.vec(batch * t * 3 * c, -1.0, 1.0)], |o, part, parts| unsafe {
            attention_backward(o[0].as_mut_ptr(), dout.as_ptr(), qkv.as_ptr(), att.as_ptr(), batch, t, c, heads, drop, ws, part, parts)
        });
    }
}
