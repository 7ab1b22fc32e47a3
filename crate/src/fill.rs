//! Whole-tensor writes, on the memory's 4-byte elements whatever their type (f32 or i32): zeroing
//! (every gradient, every step) and copying. In TypeScript, TypedArray.fill and set run on one
//! thread, and on the threads build's shared memory 2.5× slower than on an ArrayBuffer.
use crate::dropout::ELEMENTS;
use crate::share::share_aligned;

/// t (n elements) = 0.
pub unsafe fn zero(t: *mut u32, n: usize, part: usize, parts: usize) {
    let r = share_aligned(n, ELEMENTS, part, parts);
    core::ptr::write_bytes(t.add(r.start), 0, r.len());
}

/// dst (n elements) = src (n elements); the two do not overlap.
pub unsafe fn copy(dst: *mut u32, src: *const u32, n: usize, part: usize, parts: usize) {
    let r = share_aligned(n, ELEMENTS, part, parts);
    core::ptr::copy_nonoverlapping(src.add(r.start), dst.add(r.start), r.len());
}
