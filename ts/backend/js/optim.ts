import type { Kernels } from '../kernels.js';
import type { Views } from './memory.js';

// Math's functions bound once: a global lookup per element is slow inside a vm context (jest's).
const { sqrt } = Math;

/** crate/src/optim.rs in plain TypeScript. */
export const optimKernels = (mem: Views) =>
  ({
    /** y += alpha · x. */
    axpy(yPtr: number, xPtr: number, n: number, alpha: number, _part: number, _parts: number): void {
      const y = mem.f32(yPtr, n);
      const x = mem.f32(xPtr, n);
      for (let i = 0; i < n; i++) y[i] += alpha * x[i];
    },

    /** param -= lr · grad. */
    sgd_step(paramPtr: number, gradPtr: number, n: number, lr: number, _part: number, _parts: number): void {
      const param = mem.f32(paramPtr, n);
      const grad = mem.f32(gradPtr, n);
      for (let i = 0; i < n; i++) param[i] -= lr * grad[i];
    },

    /** Adam/AdamW; stepSize = lr / (1 - β1^t), invSqrtBc2 = 1 / √(1 - β2^t), decay = 1 - lr·wd (see crate/src/optim.rs). */
    adam_step(
      paramPtr: number, gradPtr: number, mPtr: number, vPtr: number, n: number,
      stepSize: number, beta1: number, beta2: number, oneMinusBeta1: number, oneMinusBeta2: number, eps: number, invSqrtBc2: number,
      decay: number, gradScale: number, _part: number, _parts: number,
    ): void {
      const param = mem.f32(paramPtr, n);
      const grad = mem.f32(gradPtr, n);
      const m = mem.f32(mPtr, n);
      const v = mem.f32(vPtr, n);
      for (let i = 0; i < n; i++) {
        const g = gradScale * grad[i];
        const mi = (m[i] = beta1 * m[i] + oneMinusBeta1 * g);
        const vi = (v[i] = beta2 * v[i] + oneMinusBeta2 * g * g);
        param[i] = decay * param[i] - (stepSize * mi) / (sqrt(vi) * invSqrtBc2 + eps);
      }
    },
  }) satisfies Partial<Kernels>;
