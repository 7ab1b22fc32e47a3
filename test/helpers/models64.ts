import type { ModelKind } from '../../ts/nn/registry.js';
import type { LinearConfig } from '../../ts/nn/models/linear.js';
import type { MlpConfig } from '../../ts/nn/models/mlp.js';
import type { ContextMlpConfig } from '../../ts/nn/models/context-mlp.js';
import { dot64, gelu64, softmaxXent64 } from './reference.js';

/**
 * The models in float64, written from their definitions (one-hot rows, dense products),
 * independent of the tape and kernels: the oracle for whole-model gradient checks. One per model
 * kind: loss of windows x (B·T) against targets y (B), parameters by name.
 */
type Loss64<C> = (config: C, p: Record<string, ArrayLike<number>>, x: ArrayLike<number>, y: ArrayLike<number>, v: number) => number;

export const LOSS64: { linear: Loss64<LinearConfig>; mlp: Loss64<MlpConfig>; 'context-mlp': Loss64<ContextMlpConfig> } & Record<ModelKind, Loss64<never>> = {
  linear: (_c, p, x, y, v) => {
    const n = y.length;
    const logits = new Float64Array(n * v);
    for (let i = 0; i < n; i++) for (let j = 0; j < v; j++) logits[i * v + j] = p.m[x[i] * v + j] + p.q[j];
    return mean(softmaxXent64(logits, y, n, v).losses);
  },
  mlp: ({ hidden: h }, p, x, y, v) => {
    const n = y.length;
    const logits = new Float64Array(n * v);
    const hidden = new Float64Array(h);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < h; k++) hidden[k] = gelu64(p.w1[x[i] * h + k] + p.b1[k]); // one_hot(x) @ w1 = row x of w1
      for (let j = 0; j < v; j++) {
        const column = Array.from({ length: h }, (_, k) => p.w2[k * v + j]);
        logits[i * v + j] = dot64(hidden, column) + p.b2[j];
      }
    }
    return mean(softmaxXent64(logits, y, n, v).losses);
  },
  'context-mlp': ({ context: c, embedding: e, hidden: h }, p, x, y, v) => {
    const n = y.length;
    const logits = new Float64Array(n * v);
    const concat = new Float64Array(c * e);
    const hidden = new Float64Array(h);
    for (let i = 0; i < n; i++) {
      // The window's characters, each its row of the embedding table, side by side.
      for (let t = 0; t < c; t++) for (let k = 0; k < e; k++) concat[t * e + k] = p.embedding[x[i * c + t] * e + k];
      for (let k = 0; k < h; k++) hidden[k] = gelu64(dot64(concat, Array.from({ length: c * e }, (_, r) => p.w1[r * h + k])) + p.b1[k]);
      for (let j = 0; j < v; j++) logits[i * v + j] = dot64(hidden, Array.from({ length: h }, (_, k) => p.w2[k * v + j])) + p.b2[j];
    }
    return mean(softmaxXent64(logits, y, n, v).losses);
  },
};

/** A small config of each kind, for the gradient checks. */
export const SMALL_CONFIGS: Record<ModelKind, unknown> = {
  linear: { kind: 'linear' },
  mlp: { kind: 'mlp', hidden: 5 },
  'context-mlp': { kind: 'context-mlp', context: 3, embedding: 2, hidden: 5 },
};

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
