//! The machine's arithmetic ceiling for this module, measured rather than assumed: independent
//! f32x4 multiply-add chains with no memory traffic, the instruction mix of the matmul
//! micro-kernel without its loads. The benchmark reports matmul GFLOP/s as a fraction of this, which stays stable
//! on a noisy machine where absolute numbers drift.
use crate::simd::*;

/// Floating-point operations per loop iteration: 12 vectors × 4 lanes × (mul + add).
pub const FLOPS_PER_ITER: u32 = 96;

/// Runs `iters` iterations of acc = acc·m + a on 12 independent accumulators: each chain waits
/// on its own mul and add (about 6-8 cycles), and 12 chains keep both the multiply and the add
/// units busy on current x86 cores while fitting V8's 15 xmm registers with m and a.
/// Returns a value derived from every accumulator so none is optimised away.
pub fn peak_flops(iters: u32, seed: f32) -> f32 {
    // acc converges to a/(1-m) = 1: no overflow, no denormals, whatever iters is.
    let m = splat(0.999_999);
    let a = splat(1e-6);
    let mut acc = [splat(seed); 12];
    for _ in 0..iters {
        for c in acc.iter_mut() {
            *c = add(mul(*c, m), a);
        }
    }
    let mut s = splat(0.0);
    for c in acc {
        s = add(s, c);
    }
    hsum(s)
}
