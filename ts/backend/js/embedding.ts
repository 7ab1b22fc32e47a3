import type { Kernels } from '../kernels.js';
import type { Views } from './memory.js';

/** crate/src/embedding.rs in plain TypeScript. */
export const embeddingKernels = (mem: Views) =>
  ({
    /** out (n,c) = weight[idx]: one_hot(idx) @ weight, as a row gather. */
    embedding_forward(outPtr: number, idxPtr: number, weightPtr: number, n: number, c: number, _part: number, _parts: number): void {
      const out = mem.f32(outPtr, n * c);
      const idx = mem.i32(idxPtr, n);
      const weight = mem.f32(weightPtr);
      for (let i = 0; i < n; i++) out.set(weight.subarray(idx[i] * c, idx[i] * c + c), i * c);
    },

    /** dweight[idx[i]] += dout[i], as a scatter-add. */
    embedding_backward(dweightPtr: number, idxPtr: number, doutPtr: number, n: number, c: number, _part: number, _parts: number): void {
      const dweight = mem.f32(dweightPtr);
      const idx = mem.i32(idxPtr, n);
      const dout = mem.f32(doutPtr, n * c);
      for (let i = 0; i < n; i++) {
        const dst = idx[i] * c;
        const src = i * c;
        for (let j = 0; j < c; j++) dweight[dst + j] += dout[src + j];
      }
    },
  }) satisfies Partial<Kernels>;
