//! C (M,N) (+)= op(A) (M,K) @ op(B) (K,N), the three products backprop needs:
//!   forward  Y  = X @ W        (trans_a = false, trans_b = false)
//!   input    dX = dY @ Wᵀ      (trans_b = true)
//!   weight   dW = Xᵀ @ dY      (trans_a = true)
//!
//! GotoBLAS structure: K is cut into blocks of KC, N into NC, M into MC; each block of op(B) is
//! packed into column panels NR wide and each block of op(A) into row panels MR tall, so the
//! micro-kernel reads both operands contiguously whatever the transposes were. The 4×8
//! micro-kernel keeps 8 accumulators + 2 B vectors + 1 broadcast A in registers: V8 has 15 xmm
//! registers to give, and wider tiles spill and run at half speed. Ragged edges (the vocabulary
//! is 65) are zero-padded in the packs and written through a small tile buffer; a last panel of
//! at most 4 columns uses a 4×4 micro-kernel instead of padding to 8.
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

/// The 4×8 tile: Apanel (4,kc) @ Bpanel (kc,8), as 4 rows of 2 vectors.
#[inline(always)]
unsafe fn micro_kernel(kc: usize, ap: *const f32, bp: *const f32) -> [[V; 2]; MR] {
    let (mut c00, mut c01, mut c10, mut c11) = (splat(0.0), splat(0.0), splat(0.0), splat(0.0));
    let (mut c20, mut c21, mut c30, mut c31) = (splat(0.0), splat(0.0), splat(0.0), splat(0.0));
    let mut a = ap;
    let mut b = bp;
    for _ in 0..kc {
        let b0 = load(b);
        let b1 = load(b.add(4));
        let a0 = load_splat(a);
        c00 = add(c00, mul(a0, b0));
        c01 = add(c01, mul(a0, b1));
        let a1 = load_splat(a.add(1));
        c10 = add(c10, mul(a1, b0));
        c11 = add(c11, mul(a1, b1));
        let a2 = load_splat(a.add(2));
        c20 = add(c20, mul(a2, b0));
        c21 = add(c21, mul(a2, b1));
        let a3 = load_splat(a.add(3));
        c30 = add(c30, mul(a3, b0));
        c31 = add(c31, mul(a3, b1));
        a = a.add(MR);
        b = b.add(NR);
    }
    [[c00, c01], [c10, c11], [c20, c21], [c30, c31]]
}

/// The 4×4 tile for a last panel of at most 4 columns: Apanel (4,kc) @ Bpanel (kc,4).
#[inline(always)]
unsafe fn micro_kernel_narrow(kc: usize, ap: *const f32, bp: *const f32) -> [[V; 1]; MR] {
    let (mut c0, mut c1, mut c2, mut c3) = (splat(0.0), splat(0.0), splat(0.0), splat(0.0));
    let mut a = ap;
    let mut b = bp;
    for _ in 0..kc {
        let b0 = load(b);
        c0 = add(c0, mul(load_splat(a), b0));
        c1 = add(c1, mul(load_splat(a.add(1)), b0));
        c2 = add(c2, mul(load_splat(a.add(2)), b0));
        c3 = add(c3, mul(load_splat(a.add(3)), b0));
        a = a.add(MR);
        b = b.add(4);
    }
    [[c0], [c1], [c2], [c3]]
}

/// C tile (rows ≤ 4, cols ≤ 4·H) = (overwrite ? 0 : C tile) + acc. Full tiles go vector by
/// vector; ragged ones (the matrix's edges) through a small buffer.
#[inline(always)]
unsafe fn write_tile<const H: usize>(acc: [[V; H]; MR], c: *mut f32, ldc: usize, rows: usize, cols: usize, overwrite: bool) {
    if rows == MR && cols == 4 * H {
        for (r, vectors) in acc.iter().enumerate() {
            for (h, v) in vectors.iter().enumerate() {
                let dst = c.add(r * ldc + 4 * h);
                store(dst, if overwrite { *v } else { add(load(dst), *v) });
            }
        }
        return;
    }
    let mut tile = [0.0f32; MR * NR];
    for (r, vectors) in acc.iter().enumerate() {
        for (h, v) in vectors.iter().enumerate() {
            store(tile.as_mut_ptr().add(r * 4 * H + 4 * h), *v);
        }
    }
    for r in 0..rows {
        for j in 0..cols {
            let dst = c.add(r * ldc + j);
            let v = tile[r * 4 * H + j];
            *dst = if overwrite { v } else { *dst + v };
        }
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
                let mut jp = 0;
                while jp < nc {
                    let cols = if nc - jp < NR { nc - jp } else { NR };
                    let bp = packed_b.add(jp * kc);
                    let mut ip = 0;
                    while ip < mc {
                        let rows = if mc - ip < MR { mc - ip } else { MR };
                        let ap = packed_a.add(ip * kc);
                        let ct = c.add((i0 + ip) * n + j0 + jp);
                        if panel_width(nc, jp) == NR {
                            write_tile(micro_kernel(kc, ap, bp), ct, n, rows, cols, overwrite);
                        } else {
                            write_tile(micro_kernel_narrow(kc, ap, bp), ct, n, rows, cols, overwrite);
                        }
                        ip += MR;
                    }
                    jp += NR;
                }
                i0 += MC;
            }
            k0 += KC;
        }
        j0 += NC;
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
