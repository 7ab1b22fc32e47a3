//! Causal multi-head self-attention fused per (batch, head, position), as llm.c's
//! attention_forward/backward: q, k and v are read in place from the (B, T, 3C) output of the c_attn
//! projection, so nothing is transposed into (B, heads, T, head) and TypeScript loops over nothing.
//! Head h of position t uses columns [h·hs, (h+1)·hs) of q, of k (offset C) and of v (offset 2C).
//! Dot products run over head columns in four lanes (see `dot`) and updates elementwise, in one
//! fixed order, so the simd128 and scalar builds agree bit for bit.
use crate::dropout::hash;
use crate::loss::softmax_row;
use crate::math::Consts;
use crate::share::share;
use crate::simd::*;

/// Dropout on the attention weights (nanoGPT's attn_dropout): weight (b, h, i, j), element
/// ((b·heads + h)·T + i)·T + j of att, is kept when hash(seed, that index) ≥ threshold and then
/// scaled by `scale`, as dropout.rs draws its masks. threshold 0 and scale 1 keep every weight as
/// it is, to the bit (a weight times 1.0 is itself).
#[derive(Clone, Copy)]
pub struct AttnDropout {
    pub seed: u32,
    pub threshold: u32,
    pub scale: f32,
}

impl AttnDropout {
    pub const NONE: AttnDropout = AttnDropout { seed: 0, threshold: 0, scale: 1.0 };

    /// The weight at element `index` of att after dropout.
    #[inline(always)]
    fn apply(self, weight: f32, index: usize) -> f32 {
        if hash(self.seed, index as u32) >= self.threshold {
            weight * self.scale
        } else {
            0.0
        }
    }
}

/// Σ a[i]·b[i] for i < n: four lanes (lane l sums i ≡ l mod 4, the tail zero-padded), then the
/// lanes added as `hsum` does. One fixed order, the same in the simd128 and scalar builds.
#[inline(always)]
pub(crate) unsafe fn dot(a: *const f32, b: *const f32, n: usize) -> f32 {
    let body = n - n % LANES;
    let mut acc = splat(0.0);
    let mut i = 0;
    while i < body {
        acc = add(acc, mul(load(a.add(i)), load(b.add(i))));
        i += LANES;
    }
    if i < n {
        acc = add(acc, mul(load_partial(a.add(i), n - i), load_partial(b.add(i), n - i)));
    }
    hsum(acc)
}

/// Four dot products of a with b0..b3 at once, lane k holding dot(a, bk): each the same sum as
/// `dot`, to the bit (the four accumulators transposed and added as `hsum` adds lanes), with a's
/// loads shared and no horizontal sum per product.
#[inline(always)]
pub(crate) unsafe fn dot4(a: *const f32, b: [*const f32; 4], n: usize) -> V {
    let body = n - n % LANES;
    let mut acc = [splat(0.0); 4];
    let mut i = 0;
    while i < body {
        let av = load(a.add(i));
        for k in 0..4 {
            acc[k] = add(acc[k], mul(av, load(b[k].add(i))));
        }
        i += LANES;
    }
    if i < n {
        let av = load_partial(a.add(i), n - i);
        for k in 0..4 {
            acc[k] = add(acc[k], mul(av, load_partial(b[k].add(i), n - i)));
        }
    }
    let r = transpose4(acc);
    add(add(r[0], r[2]), add(r[1], r[3]))
}

/// y[i] += a·x[i] for i < n: elementwise, so every element gets the same two operations in any build.
#[inline(always)]
unsafe fn axpy(y: *mut f32, a: f32, x: *const f32, n: usize) {
    let av = splat(a);
    map2(y, y, x, n, |yv, xv| add(yv, mul(av, xv)));
}

/// qkv (B, T, 3C) -> out (B, T, C) = dropout(softmax(q·kᵀ/√hs, causal))·v per head; att (B, heads, T, T)
/// keeps the weights before dropout for the backward (zero above the diagonal). Threads divide the
/// (sequence, head) pairs: a pair's outputs and weights are its own.
pub unsafe fn attention_forward(
    out: *mut f32, att: *mut f32, qkv: *const f32, batch: usize, t: usize, c: usize, heads: usize, drop: AttnDropout, part: usize, parts: usize,
) {
    let k = Consts::new();
    for bh in share(batch * heads, part, parts) {
        let (b, h) = (bh / heads, bh % heads);
        let seq = qkv.add(b * t * 3 * c);
        for i in 0..t {
            let first = (bh * t + i) * t;
            let row = att.add(first);
            position(out.add((b * t + i) * c), row, seq, i, c, heads, h, &k, drop, first);
            for j in i + 1..t {
                *row.add(j) = 0.0;
            }
        }
    }
}

/// attention_forward's output at the last position alone, for one sequence qkv (t, 3C) -> out (C):
/// a KV-cached decoder's step. The same arithmetic as attention_forward's row t - 1, so it gives the
/// same bits. `workspace` holds t floats (the row's weights).
pub unsafe fn attention_last(out: *mut f32, qkv: *const f32, t: usize, c: usize, heads: usize, workspace: *mut f32) {
    let k = Consts::new();
    for h in 0..heads {
        position(out, workspace, qkv, t - 1, c, heads, h, &k, AttnDropout::NONE, 0);
    }
}

/// Head h of position i of one sequence qkv (·, 3C): its weights over positions 0..=i into
/// row[0..=i], its output into out[h·hs, (h+1)·hs) (out is the position's row of C). `first` is
/// the index of row[0] in att, for the dropout mask.
#[inline(always)]
unsafe fn position(
    out: *mut f32, row: *mut f32, qkv: *const f32, i: usize, c: usize, heads: usize, h: usize, k: &Consts, drop: AttnDropout, first: usize,
) {
    let hs = c / heads;
    let scale = 1.0 / (hs as f32).sqrt();
    let q = qkv.add(i * 3 * c + h * hs);
    let key = |j: usize| qkv.add(j * 3 * c + c + h * hs);
    let mut j = 0;
    while j + 4 <= i + 1 {
        store(row.add(j), mul(dot4(q, [key(j), key(j + 1), key(j + 2), key(j + 3)], hs), splat(scale)));
        j += 4;
    }
    while j <= i {
        *row.add(j) = dot(q, key(j), hs) * scale;
        j += 1;
    }
    softmax_row(row, row, i + 1, k);
    let o = out.add(h * hs);
    for d in 0..hs {
        *o.add(d) = 0.0;
    }
    for j in 0..=i {
        axpy(o, drop.apply(*row.add(j), first + j), qkv.add(j * 3 * c + 2 * c + h * hs), hs);
    }
}

/// dqkv (B, T, 3C) += the gradient of attention_forward (with the same dropout) given dout (B, T, C), qkv and its att.
/// `workspace` holds parts·T floats (one row of the weights' gradient per thread), so the kernel
/// keeps no state. Threads divide the (sequence, head) pairs: a pair's q, k and v columns of dqkv
/// receive gradients from that pair alone.
pub unsafe fn attention_backward(
    dqkv: *mut f32, dout: *const f32, qkv: *const f32, att: *const f32, batch: usize, t: usize, c: usize, heads: usize, drop: AttnDropout,
    workspace: *mut f32, part: usize, parts: usize,
) {
    let hs = c / heads;
    let scale = 1.0 / (hs as f32).sqrt();
    let datt = workspace.add(part * t);
    for bh in share(batch * heads, part, parts) {
        let (b, h) = (bh / heads, bh % heads);
        for i in 0..t {
            let first = (bh * t + i) * t;
            let row = att.add(first);
            let dout_i = dout.add((b * t + i) * c + h * hs);
            // out_i = Σ_j drop(att_ij) v_j: dv_j += drop(att_ij)·dout_i; datt_ij = dout_i·v_j
            // through the dropout (the same mask and scale), so for the weights before it.
            let value = |j: usize| qkv.add((b * t + j) * 3 * c + 2 * c + h * hs);
            let mut j = 0;
            while j + 4 <= i + 1 {
                store(datt.add(j), dot4(dout_i, [value(j), value(j + 1), value(j + 2), value(j + 3)], hs));
                j += 4;
            }
            while j <= i {
                *datt.add(j) = dot(dout_i, value(j), hs);
                j += 1;
            }
            for j in 0..=i {
                *datt.add(j) = drop.apply(*datt.add(j), first + j);
                axpy(dqkv.add((b * t + j) * 3 * c + 2 * c + h * hs), drop.apply(*row.add(j), first + j), dout_i, hs);
            }
            // Through the softmax: dpre_ij = att_ij·(datt_ij - Σ_j' att_ij'·datt_ij').
            let weighted = dot(row, datt, i + 1);
            let q = qkv.add((b * t + i) * 3 * c + h * hs);
            let dq = dqkv.add((b * t + i) * 3 * c + h * hs);
            for j in 0..=i {
                let dpre = *row.add(j) * (*datt.add(j) - weighted) * scale;
                axpy(dq, dpre, qkv.add((b * t + j) * 3 * c + c + h * hs), hs);
                axpy(dqkv.add((b * t + j) * 3 * c + c + h * hs), dpre, q, hs);
            }
        }
    }
}
