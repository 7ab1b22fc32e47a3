import { dot64, gelu64, softmaxXent64 } from './reference.js';

/**
 * The notebook's models in float64, written from their definitions (one-hot rows, dense products),
 * independent of the tape and kernels: the oracle for whole-model gradient checks.
 */
export function linearLoss64(m: ArrayLike<number>, q: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>, v: number): number {
  const n = x.length;
  const logits = new Float64Array(n * v);
  for (let i = 0; i < n; i++) for (let j = 0; j < v; j++) logits[i * v + j] = m[x[i] * v + j] + q[j];
  return mean(softmaxXent64(logits, y, n, v).losses);
}

export function mlpLoss64(
  w1: ArrayLike<number>, b1: ArrayLike<number>, w2: ArrayLike<number>, b2: ArrayLike<number>,
  x: ArrayLike<number>, y: ArrayLike<number>, v: number, h: number,
): number {
  const n = x.length;
  const logits = new Float64Array(n * v);
  const hidden = new Float64Array(h);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < h; k++) hidden[k] = gelu64(w1[x[i] * h + k] + b1[k]); // one_hot(x) @ w1 = row x of w1
    for (let j = 0; j < v; j++) {
      const column = Array.from({ length: h }, (_, k) => w2[k * v + j]);
      logits[i * v + j] = dot64(hidden, column) + b2[j];
    }
  }
  return mean(softmaxXent64(logits, y, n, v).losses);
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
