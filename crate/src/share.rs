//! How a kernel's work is divided among the threads that run it: each of `parts` threads calls the
//! kernel with its own `part` (0 ≤ part < parts) and computes one contiguous range of the kernel's
//! work units, in order. Every output element is written by exactly one thread, with the same
//! operations in the same order as one thread alone would use, so a result has the same bits for
//! any number of threads. Units are whatever keeps that true for the kernel: rows, column groups,
//! (sequence, head) pairs, output panels.
use core::ops::Range;

/// Units [start, end) of `units` that `part` of `parts` computes: contiguous, in order, the sizes
/// of any two parts within one of each other. Empty for a part ≥ parts.
#[inline]
pub fn share(units: usize, part: usize, parts: usize) -> Range<usize> {
    if part >= parts {
        return units..units;
    }
    let (q, r) = (units / parts, units % parts);
    let start = part * q + part.min(r);
    start..start + q + usize::from(part < r)
}

/// `share` of n elements in units of `align` (the last unit may be shorter): elements [start, end).
/// Aligned units keep each part's vector loops whole.
#[inline]
pub fn share_aligned(n: usize, align: usize, part: usize, parts: usize) -> Range<usize> {
    let units = share(n.div_ceil(align), part, parts);
    (units.start * align).min(n)..(units.end * align).min(n)
}
