//! Dropout with a mask no one stores: element i is kept when a hash of (seed, i) is at least
//! `threshold` (= p·2^32), so the backward recomputes the forward's mask from the seed, any
//! partition of the elements over threads draws the same mask, and the JS twin draws it too.

use crate::share::share_aligned;

/// Elements per unit of work when threads divide an elementwise kernel (whole cache lines).
pub const ELEMENTS: usize = 64;

/// A 32-bit integer hash of (seed, i) (the lowbias32 finaliser, after a golden-ratio offset).
#[inline(always)]
pub fn hash(seed: u32, i: u32) -> u32 {
    let mut h = seed ^ i.wrapping_mul(0x9E37_79B9);
    h ^= h >> 16;
    h = h.wrapping_mul(0x7FEB_352D);
    h ^= h >> 15;
    h = h.wrapping_mul(0x846C_A68B);
    h ^ (h >> 16)
}

/// out (n) = inp·scale where hash(seed, i) ≥ threshold, else 0; scale = 1/(1 - p). out may be inp.
pub unsafe fn dropout_forward(out: *mut f32, inp: *const f32, n: usize, seed: u32, threshold: u32, scale: f32, part: usize, parts: usize) {
    for i in share_aligned(n, ELEMENTS, part, parts) {
        *out.add(i) = if hash(seed, i as u32) >= threshold { *inp.add(i) * scale } else { 0.0 };
    }
}

/// dinp (n) += dout·scale where the forward kept the element (same seed and threshold).
pub unsafe fn dropout_backward(dinp: *mut f32, dout: *const f32, n: usize, seed: u32, threshold: u32, scale: f32, part: usize, parts: usize) {
    for i in share_aligned(n, ELEMENTS, part, parts) {
        if hash(seed, i as u32) >= threshold {
            *dinp.add(i) += *dout.add(i) * scale;
        }
    }
}
