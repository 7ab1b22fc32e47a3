import type { Kernels } from '../kernels.js';
import type { Views } from './memory.js';

// Math's functions bound once: a global lookup per element is slow inside a vm context (jest's).
const { abs } = Math;

/** crate/src/reduce.rs in plain TypeScript. */
export const reduceKernels = (mem: Views) =>
  ({
    /** mean |x| over n > 0 elements. */
    mean_abs(xPtr: number, n: number): number {
      const x = mem.f32(xPtr, n);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += abs(x[i]);
      return sum / n;
    },

    /** Σ x², the squared norm gradient clipping adds up. */
    sum_squares(xPtr: number, n: number): number {
      const x = mem.f32(xPtr, n);
      let sum = 0;
      for (let i = 0; i < n; i++) sum += x[i] * x[i];
      return sum;
    },
  }) satisfies Partial<Kernels>;
