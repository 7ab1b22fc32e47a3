//! C (M,N) (+)= op(A) (M,K) @ op(B) (K,N), the three products backprop needs:
//!   forward  Y  = X @ W        (trans_a = false, trans_b = false)
//!   input    dX = dY @ Wᵀ      (trans_b = true)
//!   weight   dW = Xᵀ @ dY      (trans_a = true)
//!
//! GotoBLAS structure: K is cut into blocks of KC, N into NC, M into MC; each block of op(B) is
//! packed into column panels NR wide and each block of op(A) into row panels MR tall, so the
//! micro-kernel reads both operands contiguously whatever the transposes were.
//!
//! The micro-kernel is a 4×8 register tile, sized for what V8 makes of it on x86-64: V8 gives wasm
//! 15 xmm registers and issues a basic block's loads before its arithmetic, so one k step holds 8
//! accumulators, its 6 loaded operands (2 B vectors, 4 broadcast A values) and a product: 15.
//! Wider tiles (5×8, 3×12, 6×8) spill and run at half speed. simd128 has no fused multiply-add (and
//! fusing would change the bits), so a k step is 16 arithmetic and 6 load instructions; the AVX2
//! EPYC this was tuned on issues about 4 instructions a cycle, so every other instruction in the
//! loop costs time too, and `row_kernel` spends only one add and one exit test on a step. Ragged
//! edges (the vocabulary is 65) are zero-padded in the packs and computed by kernels of their
//! size: R < 4 rows by `row_kernel::<R>`, a last panel of W ≤ 4 columns by `column_kernel::<W>`.
use crate::share::share_aligned;
use crate::simd::*;
use core::ops::Range;

const MR: usize = 4;
const NR: usize = 8;
pub(crate) const KC: usize = 256;
const MC: usize = 128;
const NC: usize = 512;

/// Floats of scratch one thread's share of `matmul` needs: one packed block of A and one of B. The
/// caller (TypeScript) owns this memory, so the kernel keeps no state and threads run it at once.
pub const WORKSPACE_FLOATS: usize = MC * KC + KC * NC;

/// Element (i, j) of a row-major matrix that is either stored as is (rows × cols, `ld` = cols)
/// or stored transposed.
#[inline(always)]
unsafe fn at(p: *const f32, trans: bool, i: usize, j: usize, rows: usize, cols: usize) -> f32 {
    if trans {
        *p.add(j * rows + i)
    } else {
        *p.add(i * cols + j)
    }
}

/// Width of the panel starting at column `jp` of an nc-wide block: NR, or 4 for a last panel of
/// at most 4 columns (the vocabulary's 65 = 8·8 + 1 then pads to 68 columns, not 72).
#[inline(always)]
fn panel_width(nc: usize, jp: usize) -> usize {
    if nc - jp <= 4 {
        4
    } else {
        NR
    }
}

/// Packs op(B)[k0..k0+kc, j0..j0+nc] as panels of kc rows by panel_width floats (zero-padded).
unsafe fn pack_b(dst: *mut f32, b: *const f32, trans_b: bool, k: usize, n: usize, k0: usize, kc: usize, j0: usize, nc: usize) {
    let mut d = dst;
    let mut jp = 0;
    while jp < nc {
        let w = if nc - jp < NR { nc - jp } else { NR };
        let pw = panel_width(nc, jp);
        if !trans_b && w == NR {
            // Rows of B are contiguous: two vector copies per row.
            for p in 0..kc {
                let src = b.add((k0 + p) * n + j0 + jp);
                store(d, load(src));
                store(d.add(4), load(src.add(4)));
                d = d.add(NR);
            }
        } else {
            for p in 0..kc {
                for j in 0..pw {
                    *d.add(j) = if j < w { at(b, trans_b, k0 + p, j0 + jp + j, k, n) } else { 0.0 };
                }
                d = d.add(pw);
            }
        }
        jp += NR;
    }
}

/// Packs op(A)[i0..i0+mc, k0..k0+kc] as mc/MR panels, each kc columns of MR floats (zero-padded).
unsafe fn pack_a(dst: *mut f32, a: *const f32, trans_a: bool, m: usize, k: usize, i0: usize, mc: usize, k0: usize, kc: usize) {
    let mut d = dst;
    let mut ip = 0;
    while ip < mc {
        let h = if mc - ip < MR { mc - ip } else { MR };
        if trans_a && h == MR {
            // Aᵀ is stored (K, M): the MR values of one column are contiguous.
            for p in 0..kc {
                store(d, load(a.add((k0 + p) * m + i0 + ip)));
                d = d.add(MR);
            }
        } else if h == MR {
            // A is stored (M, K): 4×4 blocks (4 rows, 4 columns) transposed in registers, rather
            // than 16 strided scalar copies; the last kc % 4 columns one by one.
            let row = a.add((i0 + ip) * k + k0);
            let mut p = 0;
            while p + 4 <= kc {
                let t = transpose4([load(row.add(p)), load(row.add(k + p)), load(row.add(2 * k + p)), load(row.add(3 * k + p))]);
                for (j, v) in t.into_iter().enumerate() {
                    store(d.add(MR * j), v);
                }
                d = d.add(4 * MR);
                p += 4;
            }
            while p < kc {
                for i in 0..MR {
                    *d.add(i) = *row.add(i * k + p);
                }
                d = d.add(MR);
                p += 1;
            }
        } else {
            for p in 0..kc {
                for i in 0..MR {
                    *d.add(i) = if i < h { at(a, trans_a, i0 + ip + i, k0 + p, m, k) } else { 0.0 };
                }
                d = d.add(MR);
            }
        }
        ip += MR;
    }
}

/// The R × 8 tile (R ≤ MR rows of a full panel) Apanel (MR,kc) @ Bpanel (kc,8), as R rows of two
/// vectors. Every element is summed over k in order, acc + a·b (a multiply, then an add).
#[inline(always)]
unsafe fn row_kernel<const R: usize>(kc: usize, ap: *const f32, bp: *const f32) -> [[V; 2]; R] {
    let mut acc = [[splat(0.0); 2]; R];
    each_k(kc, ap, bp, |a, b| row_step(&mut acc, a, b));
    acc
}

/// Calls `step(a, b)` at each of the kc k steps of a full panel's tile, in order: a and b point at
/// the step's MR floats of the A panel and NR floats of the B panel.
///
/// Eight k steps a pass, written out (LLVM unrolls no loop with exits). b's loads take constant
/// offsets and b moves once a pass; a moves every step (its own add, hidden from LLVM behind
/// black_box so that LLVM does not fold it into offsets), because V8 computes the address of a
/// broadcast load with an offset in an instruction of its own. The exit test after each step ends
/// a basic block, and so keeps V8 from hoisting the next steps' loads above this step's
/// arithmetic, into registers the accumulators need. (Native builds take this path too, so the
/// tests run it.)
#[cfg(any(target_feature = "simd128", not(target_arch = "wasm32")))]
#[inline(always)]
unsafe fn each_k(kc: usize, ap: *const f32, bp: *const f32, mut step: impl FnMut(*const f32, *const f32)) {
    let end = ap.add(kc * MR);
    let (mut a, mut b) = (ap, bp);
    let a_step = core::hint::black_box(MR);
    macro_rules! steps {
        ($($u:literal)*) => {$(
            step(a, b.add($u * NR));
            a = a.add(a_step);
            if a == end {
                return;
            }
        )*};
    }
    loop {
        steps!(0 1 2 3 4 5 6 7);
        b = b.add(8 * NR);
    }
}

/// The scalar build's `each_k`: a plain loop. Its tile is 32 floats rather than 8 registers, and
/// the written-out passes run slower there.
#[cfg(all(target_arch = "wasm32", not(target_feature = "simd128")))]
#[inline(always)]
unsafe fn each_k(kc: usize, ap: *const f32, bp: *const f32, mut step: impl FnMut(*const f32, *const f32)) {
    let end = ap.add(kc * MR);
    let (mut a, mut b) = (ap, bp);
    while a != end {
        step(a, b);
        a = a.add(MR);
        b = b.add(NR);
    }
}

/// acc (R rows of two vectors) += a (R floats) ⊗ b (8 floats): one k step of a row tile.
#[inline(always)]
unsafe fn row_step<const R: usize>(acc: &mut [[V; 2]; R], a: *const f32, b: *const f32) {
    let (b0, b1) = (load(b), load(b.add(4)));
    for (r, row) in acc.iter_mut().enumerate() {
        let ar = load_splat(a.add(r));
        row[0] = add(row[0], mul(ar, b0));
        row[1] = add(row[1], mul(ar, b1));
    }
}

/// The MR × W tile of a last panel of W ≤ 4 columns, Apanel (MR,kc) @ Bpanel (kc,4), as W column
/// vectors (lane r: row r): one vector load of A and W broadcasts of B a k step, so a last column
/// alone (the vocabulary's 65th) costs its own arithmetic, not a 4-column panel's. The same sums
/// as `row_kernel`: acc + a·b, k in order.
#[inline(always)]
unsafe fn column_kernel<const W: usize>(kc: usize, ap: *const f32, bp: *const f32) -> [V; W] {
    let mut acc = [splat(0.0); W];
    let end = ap.add(kc * MR);
    let (mut a, mut b) = (ap, bp);
    while a != end {
        let av = load(a);
        for (j, c) in acc.iter_mut().enumerate() {
            *c = add(*c, mul(av, load_splat(b.add(j))));
        }
        a = a.add(MR);
        b = b.add(4);
    }
    acc
}

/// `cols` floats of one row of C (+)= the first `cols` lanes of `vectors`.
#[inline(always)]
unsafe fn write_row(c: *mut f32, vectors: &[V], cols: usize, overwrite: bool) {
    for (h, v) in vectors.iter().enumerate() {
        let (dst, len) = (c.add(4 * h), cols.saturating_sub(4 * h).min(4));
        if len == 4 {
            store(dst, if overwrite { *v } else { add(load(dst), *v) });
        } else if len > 0 {
            store_partial(dst, if overwrite { *v } else { add(load_partial(dst, len), *v) }, len);
        }
    }
}

/// C tile (R rows, cols ≤ 8) (+)= Apanel @ Bpanel of a full panel.
#[inline(always)]
unsafe fn row_tile<const R: usize>(kc: usize, ap: *const f32, bp: *const f32, c: *mut f32, ldc: usize, cols: usize, overwrite: bool) {
    for (r, vectors) in row_kernel::<R>(kc, ap, bp).iter().enumerate() {
        write_row(c.add(r * ldc), vectors, cols, overwrite);
    }
}

/// C tile (rows ≤ 4, W columns) (+)= Apanel @ Bpanel of a last panel of at most 4 columns.
#[inline(always)]
unsafe fn column_tile<const W: usize>(kc: usize, ap: *const f32, bp: *const f32, c: *mut f32, ldc: usize, rows: usize, overwrite: bool) {
    let acc = column_kernel::<W>(kc, ap, bp);
    let columns: [V; 4] = core::array::from_fn(|j| if j < W { acc[j] } else { splat(0.0) });
    for (r, row) in transpose4(columns).iter().take(rows).enumerate() {
        write_row(c.add(r * ldc), core::slice::from_ref(row), W, overwrite);
    }
}

/// c (m,n) (+)= op(a) @ op(b); a is (m,k), or (k,m) when `trans_a`; b is (k,n), or (n,k) when
/// `trans_b`; `accumulate` adds to c instead of overwriting it. c must not alias a or b.
/// `part` of `parts` threads computes one block of c: a range of rows (in MR tiles) when c is at
/// least as tall as it is wide, else a range of columns (in NR panels), with its own WORKSPACE_FLOATS
/// of `workspace` (which holds parts·WORKSPACE_FLOATS). Never inlined: the two exports share one copy.
#[inline(never)]
pub unsafe fn matmul(
    c: *mut f32, a: *const f32, b: *const f32, m: usize, k: usize, n: usize, trans_a: bool, trans_b: bool, accumulate: bool, workspace: *mut f32,
    part: usize, parts: usize,
) {
    let (rows, cols) = if m >= n { (share_aligned(m, MR, part, parts), 0..n) } else { (0..m, share_aligned(n, NR, part, parts)) };
    if rows.is_empty() || cols.is_empty() {
        return;
    }
    if k == 0 {
        if !accumulate {
            for i in rows {
                for j in cols.clone() {
                    *c.add(i * n + j) = 0.0;
                }
            }
        }
        return;
    }
    if m == 1 {
        // One row (a decoder's step): no packing, the same sums.
        return row_times(c, a, b, k, n, trans_b, accumulate, cols);
    }
    block(c, a, b, m, k, n, trans_a, trans_b, accumulate, workspace.add(part * WORKSPACE_FLOATS), rows, cols);
}

/// The rows × cols block of c (m,n) (+)= op(a) @ op(b): every element summed over k in the same
/// order whatever the block, so blocks of any size give the bits of the whole product.
unsafe fn block(
    c: *mut f32, a: *const f32, b: *const f32, m: usize, k: usize, n: usize, trans_a: bool, trans_b: bool, accumulate: bool, workspace: *mut f32,
    rows: Range<usize>, cols: Range<usize>,
) {
    let packed_a = workspace;
    let packed_b = workspace.add(MC * KC);
    let mut j0 = cols.start;
    while j0 < cols.end {
        let nc = if cols.end - j0 < NC { cols.end - j0 } else { NC };
        let mut k0 = 0;
        while k0 < k {
            let kc = if k - k0 < KC { k - k0 } else { KC };
            pack_b(packed_b, b, trans_b, k, n, k0, kc, j0, nc);
            let overwrite = k0 == 0 && !accumulate;
            let mut i0 = rows.start;
            while i0 < rows.end {
                let mc = if rows.end - i0 < MC { rows.end - i0 } else { MC };
                pack_a(packed_a, a, trans_a, m, k, i0, mc, k0, kc);
                macro_kernel(c.add(i0 * n + j0), n, packed_a, packed_b, mc, nc, kc, overwrite);
                i0 += MC;
            }
            k0 += KC;
        }
        j0 += NC;
    }
}

/// C (mc,nc) (+)= packed A block (mc,kc) @ packed B block (kc,nc), C's rows `ldc` apart: one
/// kc-deep slice of the product, tile by tile. Each B panel stays in L1 while the A panels stream
/// past it. Never inlined: the micro-kernel then has the registers to itself.
#[inline(never)]
unsafe fn macro_kernel(c: *mut f32, ldc: usize, packed_a: *const f32, packed_b: *const f32, mc: usize, nc: usize, kc: usize, overwrite: bool) {
    let mut jp = 0;
    while jp < nc {
        let cols = if nc - jp < NR { nc - jp } else { NR };
        let bp = packed_b.add(jp * kc);
        let mut ip = 0;
        while ip < mc {
            let rows = if mc - ip < MR { mc - ip } else { MR };
            let (ap, ct) = (packed_a.add(ip * kc), c.add(ip * ldc + jp));
            // Ragged rows and a narrow last panel (the matrix's edges) get kernels of their size,
            // so zero padding costs no arithmetic.
            match (panel_width(nc, jp) == NR, rows, cols) {
                (true, 4, _) => row_tile::<4>(kc, ap, bp, ct, ldc, cols, overwrite),
                (true, 3, _) => row_tile::<3>(kc, ap, bp, ct, ldc, cols, overwrite),
                (true, 2, _) => row_tile::<2>(kc, ap, bp, ct, ldc, cols, overwrite),
                (true, _, _) => row_tile::<1>(kc, ap, bp, ct, ldc, cols, overwrite),
                (false, _, 4) => column_tile::<4>(kc, ap, bp, ct, ldc, rows, overwrite),
                (false, _, 3) => column_tile::<3>(kc, ap, bp, ct, ldc, rows, overwrite),
                (false, _, 2) => column_tile::<2>(kc, ap, bp, ct, ldc, rows, overwrite),
                (false, _, _) => column_tile::<1>(kc, ap, bp, ct, ldc, rows, overwrite),
            }
            ip += MR;
        }
        jp += NR;
    }
}

/// c (1,n) (+)= a (1,k) @ op(b) with each element summed exactly as `matmul` sums it (from 0 over
/// each KC block of k in order, the block's sum then written or added to c), so a one-row product
/// has the bits of that row of a many-row one. Four columns at a time, one lane each: for b (n,k)
/// four rows are read four k at a time and transposed, so lane j still sees k in order.
unsafe fn row_times(c: *mut f32, a: *const f32, b: *const f32, k: usize, n: usize, trans_b: bool, accumulate: bool, cols: Range<usize>) {
    let mut k0 = 0;
    while k0 < k {
        let kc = if k - k0 < KC { k - k0 } else { KC };
        let overwrite = k0 == 0 && !accumulate;
        let body = cols.end - (cols.end - cols.start) % LANES;
        let mut j = cols.start;
        while j < body {
            let mut acc = splat(0.0);
            let mut p = k0;
            if trans_b {
                let rows = [b.add(j * k), b.add((j + 1) * k), b.add((j + 2) * k), b.add((j + 3) * k)];
                while p + 4 <= k0 + kc {
                    let cols = transpose4([load(rows[0].add(p)), load(rows[1].add(p)), load(rows[2].add(p)), load(rows[3].add(p))]);
                    for (q, col) in cols.iter().enumerate() {
                        acc = add(acc, mul(load_splat(a.add(p + q)), *col));
                    }
                    p += 4;
                }
                while p < k0 + kc {
                    let col = [*rows[0].add(p), *rows[1].add(p), *rows[2].add(p), *rows[3].add(p)];
                    acc = add(acc, mul(load_splat(a.add(p)), load(col.as_ptr())));
                    p += 1;
                }
            } else {
                while p < k0 + kc {
                    acc = add(acc, mul(load_splat(a.add(p)), load(b.add(p * n + j))));
                    p += 1;
                }
            }
            let dst = c.add(j);
            store(dst, if overwrite { acc } else { add(load(dst), acc) });
            j += LANES;
        }
        while j < cols.end {
            let mut acc = 0.0f32;
            for p in k0..k0 + kc {
                acc += *a.add(p) * at(b, trans_b, p, j, k, n);
            }
            *c.add(j) = if overwrite { acc } else { *c.add(j) + acc };
            j += 1;
        }
        k0 += KC;
    }
}

/// `batch` products c[i] (m,n) (+)= op(a[i]) @ op(b[i]), as `matmul` each: c holds them one after
/// another (m·n floats apart); a[i] starts stride_a floats after a[i-1], b[i] stride_b after b[i-1],
/// so a stride of 0 shares one operand among all (attention's heads, a weight for every sequence).
/// Each of `parts` threads computes its block of every product, as `matmul` divides one.
pub unsafe fn matmul_batched(
    c: *mut f32, a: *const f32, b: *const f32, batch: usize, m: usize, k: usize, n: usize, stride_a: usize, stride_b: usize, trans_a: bool,
    trans_b: bool, accumulate: bool, workspace: *mut f32, part: usize, parts: usize,
) {
    for i in 0..batch {
        matmul(c.add(i * m * n), a.add(i * stride_a), b.add(i * stride_b), m, k, n, trans_a, trans_b, accumulate, workspace, part, parts);
    }
}
