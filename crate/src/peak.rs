//! The machine's arithmetic ceiling for this module, measured rather than assumed: f32x4
//! multiplies and adds in equal numbers, as the matmul micro-kernel does them, without its loads.
//! The benchmark reports matmul GFLOP/s as a fraction of this, which stays stable on a noisy
//! machine where absolute numbers drift.
use crate::simd::*;

/// Floating-point operations per loop iteration: 12 chains × 2 operations × 4 lanes.
pub const FLOPS_PER_ITER: u32 = 96;

/// Runs `iters` iterations of 6 chains of two multiplies (×4, then ×¼) and 6 chains of an add and
/// a subtract (s + ¼, then ¼ − that, so s alternates with −s). Each chain waits only on its own
/// unit (3 cycles on current x86 cores), so 6 of each keep both multipliers and both adders busy,
/// with the two constants in V8's 15 xmm registers. (12 chains of acc·m + a, where each multiply
/// waits on an add, sit exactly on that latency bound: on the same core they read 31–38 GFLOP/s
/// by where V8 put the loop, this 37–38.) Every step is exact for seed 0.5 (the sums cycle
/// through 0.5, 0.75, −0.5, −0.25), so whatever iters is nothing overflows or goes denormal.
/// Returns a value derived from every chain so none is optimised away.
pub fn peak_flops(iters: u32, seed: f32) -> f32 {
    let (four, quarter) = (splat(4.0), splat(0.25));
    let mut products = [splat(seed); 6];
    let mut sums = [splat(seed); 6];
    for _ in 0..iters {
        for p in products.iter_mut() {
            *p = mul(mul(*p, four), quarter);
        }
        for s in sums.iter_mut() {
            *s = sub(quarter, add(*s, quarter));
        }
    }
    let mut total = splat(0.0);
    for v in products {
        total = add(total, v);
    }
    for v in sums {
        total = add(total, v);
    }
    hsum(total)
}
