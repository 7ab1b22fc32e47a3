//! Bias: broadcast add over rows, and its gradient, the column sum.
use crate::share::{share, share_aligned};
use crate::simd::*;

/// out (rows, cols) += bias (cols), in place on a matmul's output.
pub unsafe fn bias_forward(out: *mut f32, bias: *const f32, rows: usize, cols: usize, part: usize, parts: usize) {
    for r in share(rows, part, parts) {
        let row = out.add(r * cols);
        map2(row, row, bias, cols, add);
    }
}

/// dbias (cols) += Σ_rows dout (rows, cols). Column blocks outermost, so a block's partial sums
/// stay in registers while the rows stream past: GROUP vectors at a time (two cache lines of
/// each row), then single vectors, then the ragged last columns.
pub unsafe fn bias_backward(dbias: *mut f32, dout: *const f32, rows: usize, cols: usize, part: usize, parts: usize) {
    let share = share_aligned(cols, GROUP * LANES, part, parts);
    let mut j = share.start;
    while j + GROUP * LANES <= share.end {
        let mut acc = <Group as Lanes>::bc(splat(0.0));
        for r in 0..rows {
            acc = acc.add(load_group(dout.add(r * cols + j)));
        }
        store_group(dbias.add(j), load_group(dbias.add(j)).add(acc));
        j += GROUP * LANES;
    }
    while j < share.end {
        let len = if share.end - j < LANES { share.end - j } else { LANES };
        let mut acc = splat(0.0);
        for r in 0..rows {
            let p = dout.add(r * cols + j);
            acc = add(acc, if len == LANES { load(p) } else { load_partial(p, len) });
        }
        let d = dbias.add(j);
        if len == LANES {
            store(d, add(load(d), acc));
        } else {
            store_partial(d, add(load_partial(d, len), acc), len);
        }
        j += LANES;
    }
}
