import type { Kernels } from '../kernels.js';
import type { Views } from './memory.js';

// Math's functions bound once: a global lookup per element is slow inside a vm context (jest's).
const { exp, log, max } = Math;

/** probs[row..row+v] = softmax(logits[row..row+v]), max-subtracted; returns (max, Σ e^(x - max)). */
function softmaxRow(probs: Float32Array, logits: Float32Array, row: number, v: number): [number, number] {
  let rowMax = -Infinity;
  for (let j = 0; j < v; j++) rowMax = max(rowMax, logits[row + j]);
  let sum = 0;
  for (let j = 0; j < v; j++) {
    const e = exp(logits[row + j] - rowMax);
    probs[row + j] = e;
    sum += e;
  }
  for (let j = 0; j < v; j++) probs[row + j] /= sum;
  return [rowMax, sum];
}

/** crate/src/loss.rs in plain TypeScript. */
export const lossKernels = (mem: Views) =>
  ({
    /** probs (n,v) = softmax of each row of logits (n,v). */
    softmax_forward(probsPtr: number, logitsPtr: number, n: number, v: number, _part: number, _parts: number): void {
      const probs = mem.f32(probsPtr, n * v);
      const logits = mem.f32(logitsPtr, n * v);
      for (let r = 0; r < n; r++) softmaxRow(probs, logits, r * v, v);
    },

    /**
     * Softmax + cross-entropy per row, max-subtracted: probs (n,v) = softmax(logits), losses[i]
     * (unless losses is the null pointer) = ln Σ e^(x - max) - (x_target - max). Returns the mean loss.
     */
    softmax_xent_forward(lossesPtr: number, probsPtr: number, logitsPtr: number, targetsPtr: number, n: number, v: number, _part: number, _parts: number): number {
      const losses = lossesPtr === 0 ? null : mem.f32(lossesPtr, n);
      const probs = mem.f32(probsPtr, n * v);
      const logits = mem.f32(logitsPtr, n * v);
      const targets = mem.i32(targetsPtr, n);
      let total = 0;
      for (let r = 0; r < n; r++) {
        const row = r * v;
        const [rowMax, sum] = softmaxRow(probs, logits, row, v);
        const loss = log(sum) - (logits[row + targets[r]] - rowMax);
        if (losses) losses[r] = loss;
        total += loss;
      }
      return total / n;
    },

    /** dlogits (n,v) += (probs - onehot(targets)) · dlosses. */
    softmax_xent_backward(dlogitsPtr: number, dlossesPtr: number, probsPtr: number, targetsPtr: number, n: number, v: number, _part: number, _parts: number): void {
      const dlogits = mem.f32(dlogitsPtr, n * v);
      const dlosses = mem.f32(dlossesPtr, n);
      const probs = mem.f32(probsPtr, n * v);
      const targets = mem.i32(targetsPtr, n);
      for (let r = 0; r < n; r++) {
        const row = r * v;
        const dl = dlosses[r];
        for (let j = 0; j < v; j++) dlogits[row + j] += probs[row + j] * dl;
        dlogits[row + targets[r]] -= dl;
      }
    },
  }) satisfies Partial<Kernels>;
