import type { Kernels } from '../kernels.js';
import type { Views } from './memory.js';

const { imul } = Math;

/** crate/src/dropout.rs's hash of (seed, i), in 32-bit integer arithmetic: the same mask in every backend. */
export function dropoutHash(seed: number, i: number): number {
  let h = (seed ^ imul(i, 0x9e3779b9)) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = imul(h, 0x7feb352d) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = imul(h, 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** crate/src/dropout.rs in plain TypeScript. */
export const dropoutKernels = (mem: Views) =>
  ({
    /** out (n) = inp·scale where hash(seed, i) ≥ threshold, else 0. */
    dropout_forward(outPtr: number, inpPtr: number, n: number, seed: number, threshold: number, scale: number, _part: number, _parts: number): void {
      const [out, inp] = [mem.f32(outPtr, n), mem.f32(inpPtr, n)];
      for (let i = 0; i < n; i++) out[i] = dropoutHash(seed, i) >= threshold ? inp[i] * scale : 0;
    },

    /** dinp (n) += dout·scale where the forward kept the element. */
    dropout_backward(dinpPtr: number, doutPtr: number, n: number, seed: number, threshold: number, scale: number, _part: number, _parts: number): void {
      const [dinp, dout] = [mem.f32(dinpPtr, n), mem.f32(doutPtr, n)];
      for (let i = 0; i < n; i++) if (dropoutHash(seed, i) >= threshold) dinp[i] += dout[i] * scale;
    },
  }) satisfies Partial<Kernels>;
