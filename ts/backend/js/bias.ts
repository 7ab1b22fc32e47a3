import type { Kernels } from '../kernels.js';
import type { Views } from './memory.js';

/** crate/src/bias.rs in plain TypeScript. */
export const biasKernels = (mem: Views) =>
  ({
    /** out (rows,cols) += bias (cols). */
    bias_forward(outPtr: number, biasPtr: number, rows: number, cols: number, _part: number, _parts: number): void {
      const out = mem.f32(outPtr, rows * cols);
      const bias = mem.f32(biasPtr, cols);
      for (let r = 0; r < rows; r++) {
        const row = r * cols;
        for (let j = 0; j < cols; j++) out[row + j] += bias[j];
      }
    },

    /** dbias (cols) += Σ_rows dout (rows,cols). */
    bias_backward(dbiasPtr: number, doutPtr: number, rows: number, cols: number, _part: number, _parts: number): void {
      const dbias = mem.f32(dbiasPtr, cols);
      const dout = mem.f32(doutPtr, rows * cols);
      for (let r = 0; r < rows; r++) {
        const row = r * cols;
        for (let j = 0; j < cols; j++) dbias[j] += dout[row + j];
      }
    },
  }) satisfies Partial<Kernels>;
