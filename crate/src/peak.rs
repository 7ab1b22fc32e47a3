//! The machine's arithmetic ceiling for this module, measured rather than assumed: the matmul
//! micro-kernel's instruction mix (8 independent accumulators, each += a·b per step) with no
//! memory traffic. The benchmark reports matmul GFLOP/s as a fraction of this, which stays stable
//! on a noisy machine where absolute numbers drift.
use crate::simd::*;

/// Floating-point operations per loop iteration: 8 vectors × 4 lanes × (mul + add).
pub const FLOPS_PER_ITER: u32 = 64;

/// Runs `iters` iterations; returns a value derived from every accumulator so none is optimised
/// away. The operands rotate lanes each step (a shuffle, on a port the arithmetic does not use),
/// which stops the compiler from hoisting the products out of the loop.
pub fn peak_flops(iters: u32, seed: f32) -> f32 {
    // 2 a × 4 b = 8 distinct products per step; 8 + 2 + 4 = 14 registers, like the micro-kernel.
    let mut a0 = splat(seed);
    let mut a1 = splat(seed + 1e-3);
    let (b0, b1, b2, b3) = (splat(1.0 - 1e-7), splat(1e-7), splat(2e-7), splat(3e-7));
    let mut acc = [splat(0.0); 8];
    for _ in 0..iters {
        let [c0, c1, c2, c3, c4, c5, c6, c7] = acc;
        acc = [
            add(c0, mul(a0, b0)),
            add(c1, mul(a0, b1)),
            add(c2, mul(a0, b2)),
            add(c3, mul(a0, b3)),
            add(c4, mul(a1, b0)),
            add(c5, mul(a1, b1)),
            add(c6, mul(a1, b2)),
            add(c7, mul(a1, b3)),
        ];
        a0 = rotate(a0);
        a1 = rotate(a1);
    }
    let mut s = splat(0.0);
    for c in acc {
        s = add(s, c);
    }
    hsum(s)
}
