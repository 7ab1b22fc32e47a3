//! Embedding: the numbers of one_hot(idx) @ W, computed as a row gather, and its gradient as a
//! scatter-add, so the (n, vocab) one-hot matrix is never built.
use crate::share::{share, share_aligned};
use crate::simd::*;

/// weight (rows, c), idx (n) in [0, rows) -> out (n, c) = weight[idx].
pub unsafe fn embedding_forward(out: *mut f32, idx: *const u32, weight: *const f32, n: usize, c: usize, part: usize, parts: usize) {
    for i in share(n, part, parts) {
        let src = weight.add(*idx.add(i) as usize * c);
        map1(out.add(i * c), src, c, |x| x);
    }
}

/// dweight[idx[i]] += dout[i] for each of the n rows of dout (n, c); repeated indices add up, in
/// the order of i. Threads divide the columns, so two threads never add to one row's element.
pub unsafe fn embedding_backward(dweight: *mut f32, idx: *const u32, dout: *const f32, n: usize, c: usize, part: usize, parts: usize) {
    let cols = share_aligned(c, LANES, part, parts);
    for i in 0..n {
        let dst = dweight.add(*idx.add(i) as usize * c + cols.start);
        map2(dst, dst, dout.add(i * c + cols.start), cols.len(), add);
    }
}
