import type { Views } from './memory.js';

/** crate/src/fill.rs in plain TypeScript: 4-byte elements, whatever their type. */
export const fillKernels = (mem: Views) =>
  ({
    /** t = 0. */
    zero(tPtr: number, n: number, _part: number, _parts: number): void {
      mem.i32(tPtr, n).fill(0);
    },

    /** dst = src; the two do not overlap. */
    copy(dstPtr: number, srcPtr: number, n: number, _part: number, _parts: number): void {
      mem.i32(dstPtr, n).set(mem.i32(srcPtr, n));
    },
  });
