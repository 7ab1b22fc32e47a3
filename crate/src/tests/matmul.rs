//! matmul against the naive triple loop in float64, over every small shape (all tile, panel and
//! padding cases), the training shapes, and shapes that cross the KC/MC/NC block boundaries.
use super::{assert_close, Guarded, Rng, U};
use crate::matmul::{matmul, KC, WORKSPACE_FLOATS};

/// c (+)= op(a) @ op(b) in float64; also Σ|a||b| per element, which bounds the f32 rounding.
fn reference(c0: &[f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize, ta: bool, tb: bool, acc: bool) -> (Vec<f64>, Vec<f64>) {
    let at = |i: usize, p: usize| if ta { a[p * m + i] } else { a[i * k + p] } as f64;
    let bt = |p: usize, j: usize| if tb { b[j * k + p] } else { b[p * n + j] } as f64;
    let mut c = vec![0.0; m * n];
    let mut mag = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let (mut s, mut g) = if acc { (c0[i * n + j] as f64, (c0[i * n + j] as f64).abs()) } else { (0.0, 0.0) };
            for p in 0..k {
                s += at(i, p) * bt(p, j);
                g += (at(i, p) * bt(p, j)).abs();
            }
            c[i * n + j] = s;
            mag[i * n + j] = g;
        }
    }
    (c, mag)
}

fn check(rng: &mut Rng, workspace: &mut [f32], m: usize, k: usize, n: usize, ta: bool, tb: bool, acc: bool) {
    let a = rng.vec(m * k, -1.0, 1.0);
    let b = rng.vec(k * n, -1.0, 1.0);
    let c0 = rng.vec(m * n, -1.0, 1.0);
    let mut c = Guarded::new(&c0);
    unsafe { matmul(c.ptr(), a.as_ptr(), b.as_ptr(), m, k, n, ta, tb, acc, workspace.as_mut_ptr(), 0, 1) };
    let (want, mag) = reference(&c0, &a, &b, m, k, n, ta, tb, acc);
    // Any summation order of k + 1 terms stays within (k + 1)·u·Σ|terms| (Higham, §3.1).
    let what = format!("matmul m={m} k={k} n={n} trans_a={ta} trans_b={tb} accumulate={acc}");
    assert_close(&what, c.values(), &want, |i| (k as f64 + 2.0) * U * mag[i] + f64::MIN_POSITIVE);
}

/// c (+)= op(a) @ op(b) in float32, in the order every tiling must keep: each element summed from
/// 0 over each KC block of k in order (a multiply, then an add, per term), the block's sum then
/// written to c (the first block, unless accumulating) or added to it.
fn in_order(c0: &[f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize, ta: bool, tb: bool, acc: bool) -> Vec<f32> {
    let at = |i: usize, p: usize| if ta { a[p * m + i] } else { a[i * k + p] };
    let bt = |p: usize, j: usize| if tb { b[j * k + p] } else { b[p * n + j] };
    let mut c = c0.to_vec();
    for i in 0..m {
        for j in 0..n {
            for k0 in (0..k).step_by(KC) {
                let mut s = 0.0f32;
                for p in k0..(k0 + KC).min(k) {
                    s += at(i, p) * bt(p, j);
                }
                c[i * n + j] = if k0 == 0 && !acc { s } else { c[i * n + j] + s };
            }
        }
    }
    c
}

const FORMS: [(bool, bool); 4] = [(false, false), (false, true), (true, false), (true, true)];

#[test]
fn every_shape_up_to_17_in_every_form() {
    let mut rng = Rng::new(1);
    let mut workspace = vec![0.0; WORKSPACE_FLOATS];
    for m in 1..=17 {
        for k in 1..=17 {
            for n in 1..=17 {
                for (ta, tb) in FORMS {
                    for acc in [false, true] {
                        check(&mut rng, &mut workspace, m, k, n, ta, tb, acc);
                    }
                }
            }
        }
    }
}

#[test]
fn the_training_shapes_and_block_boundaries() {
    let mut rng = Rng::new(2);
    let mut workspace = vec![0.0; WORKSPACE_FLOATS];
    // The MLP step (batch 1024, hidden 128, vocabulary 65) in the forms it uses them, then shapes one
    // past each block size: KC = 256 in k, MC = 128 in m, NC = 512 in n.
    let shapes = [(1024, 65, 128), (1024, 128, 65), (65, 1024, 128), (128, 1024, 65), (129, 257, 513), (4, 513, 9), (257, 3, 1030)];
    for (m, k, n) in shapes {
        for (ta, tb) in FORMS {
            check(&mut rng, &mut workspace, m, k, n, ta, tb, false);
        }
        check(&mut rng, &mut workspace, m, k, n, false, false, true);
    }
}

/// Every element has the bits of `in_order`, whatever tile, panel or edge kernel computed it: the
/// tiling may change, the sums may not.
#[test]
fn every_element_is_summed_in_order_bit_for_bit() {
    let mut rng = Rng::new(4);
    let mut workspace = vec![0.0; WORKSPACE_FLOATS];
    let shapes = [(1, 7, 9), (5, 3, 5), (13, 17, 11), (65, 40, 65), (9, 2 * KC + 3, 13), (130, KC + 1, 70)];
    for (m, k, n) in shapes {
        for (ta, tb) in FORMS {
            for acc in [false, true] {
                let a = rng.vec(m * k, -1.0, 1.0);
                let b = rng.vec(k * n, -1.0, 1.0);
                let c0 = rng.vec(m * n, -1.0, 1.0);
                let mut c = Guarded::new(&c0);
                unsafe { matmul(c.ptr(), a.as_ptr(), b.as_ptr(), m, k, n, ta, tb, acc, workspace.as_mut_ptr(), 0, 1) };
                let want = in_order(&c0, &a, &b, m, k, n, ta, tb, acc);
                let same = c.values().iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "matmul m={m} k={k} n={n} trans_a={ta} trans_b={tb} accumulate={acc}");
            }
        }
    }
}

#[test]
fn k_zero_gives_zero_or_keeps_c() {
    let mut workspace = vec![0.0; WORKSPACE_FLOATS];
    for acc in [false, true] {
        let mut c = Guarded::new(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        unsafe { matmul(c.ptr(), [].as_ptr(), [].as_ptr(), 2, 0, 3, false, false, acc, workspace.as_mut_ptr(), 0, 1) };
        let want: &[f32] = if acc { &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0] } else { &[0.0; 6] };
        assert_eq!(c.values(), want);
    }
}

#[test]
fn batched_products_with_shared_and_separate_operands() {
    use crate::matmul::matmul_batched;
    let mut rng = Rng::new(3);
    let mut workspace = vec![0.0; WORKSPACE_FLOATS];
    let (batch, m, k, n) = (5, 7, 9, 6);
    for (ta, tb) in FORMS {
        // stride_b = 0: one b for every product (a weight); stride_b = k·n: a b per product (attention).
        for shared_b in [true, false] {
            let a = rng.vec(batch * m * k, -1.0, 1.0);
            let b = rng.vec(if shared_b { k * n } else { batch * k * n }, -1.0, 1.0);
            let mut c = Guarded::new(&vec![0.0; batch * m * n]);
            let stride_b = if shared_b { 0 } else { k * n };
            unsafe { matmul_batched(c.ptr(), a.as_ptr(), b.as_ptr(), batch, m, k, n, m * k, stride_b, ta, tb, false, workspace.as_mut_ptr(), 0, 1) };
            let mut want = Vec::new();
            let mut mag = Vec::new();
            for i in 0..batch {
                let bi = &b[i * stride_b..i * stride_b + k * n];
                let (w, g) = reference(&[], &a[i * m * k..(i + 1) * m * k], bi, m, k, n, ta, tb, false);
                want.extend(w);
                mag.extend(g);
            }
            let what = format!("matmul_batched trans_a={ta} trans_b={tb} shared_b={shared_b}");
            assert_close(&what, c.values(), &want, |i| (k as f64 + 2.0) * U * mag[i]);
        }
    }
}

/// A one-row product (a decoder's step takes its own path) has the bits of that row of a
/// many-row product, in every transpose form, with and without accumulate, across KC blocks.
#[test]
fn one_row_is_a_row_of_the_many_row_product_bit_for_bit() {
    let mut rng = Rng::new(31);
    for (k, n) in [(1, 1), (3, 5), (128, 384), (300, 65), (513, 9)] {
        for (trans_a, trans_b, accumulate) in
            [(false, false, false), (false, true, false), (true, false, true), (true, true, true), (false, true, true)]
        {
            let m = 6;
            let a = rng.vec(m * k, -1.0, 1.0);
            let b = rng.vec(k * n, -1.0, 1.0);
            let c0 = rng.vec(m * n, -1.0, 1.0);
            let mut workspace = vec![0.0; WORKSPACE_FLOATS];
            let mut many = c0.clone();
            unsafe { matmul(many.as_mut_ptr(), a.as_ptr(), b.as_ptr(), m, k, n, trans_a, trans_b, accumulate, workspace.as_mut_ptr(), 0, 1) };
            for i in [0, m - 1] {
                // Row i of op(a) as a (1,k) matrix: a (1,k) for trans_a = false, a (k,1) otherwise; both are k contiguous floats.
                let row: Vec<f32> = (0..k).map(|p| if trans_a { a[p * m + i] } else { a[i * k + p] }).collect();
                let mut one = Guarded::new(&c0[i * n..(i + 1) * n]);
                unsafe { matmul(one.ptr(), row.as_ptr(), b.as_ptr(), 1, k, n, trans_a, trans_b, accumulate, workspace.as_mut_ptr(), 0, 1) };
                let want = &many[i * n..(i + 1) * n];
                assert!(
                    one.values().iter().zip(want).all(|(x, y)| x.to_bits() == y.to_bits()),
                    "k={k} n={n} transA={trans_a} transB={trans_b} acc={accumulate} row {i}"
                );
            }
        }
    }
}
