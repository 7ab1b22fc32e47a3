// jest runs tests in a vm context, where every global lookup (`Math`) is slow; bind them once.
const { abs, exp, log, sqrt, max, sign, PI } = Math;

/**
 * Float64 references, written independently of both backends (different formulas where one
 * exists: erf by its Taylor series and continued fraction, not the Chebyshev fit the kernels use).
 */

/** op(a) @ op(b) in float64, plus the rounding scale Σ_p |a_ip·b_pj| per element. */
export function matmul64(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, transA: boolean, transB: boolean) {
  // Materialise op(a) (m,k) and op(b) (k,n) row-major in float64, then an i-p-j loop.
  const A = new Float64Array(m * k);
  const B = new Float64Array(k * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) A[i * k + p] = transA ? a[p * m + i] : a[i * k + p];
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) B[p * n + j] = transB ? b[j * k + p] : b[p * n + j];
  const out = new Float64Array(m * n);
  const absScale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = A[i * k + p];
      const ax = abs(x);
      for (let j = 0; j < n; j++) {
        const y = B[p * n + j];
        out[i * n + j] += x * y;
        absScale[i * n + j] += ax * abs(y);
      }
    }
  }
  return { out, absScale };
}

/** erf to ~1e-15: Taylor series for |x| < 3, Lentz continued fraction for erfc beyond. */
export function erf64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = abs(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (abs(add) < 1e-17 * abs(sum)) break;
    }
    return sign(x) * (2 / sqrt(PI)) * sum;
  }
  return sign(x) * (1 - erfcLarge(ax));
}

/** erfc(x) for x ≥ 3 by its continued fraction (accurate where 1 - erf would cancel). */
export function erfcLarge(x: number): number {
  // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (x + f);
  return exp(-x * x) / sqrt(PI) / (x + f);
}

/** 1 + erf(x), accurate for negative x too. */
export function onePlusErf64(x: number): number {
  return x <= -3 ? erfcLarge(-x) : 1 + erf64(x);
}

export const gelu64 = (x: number) => 0.5 * x * onePlusErf64(x / Math.SQRT2);

/** Softmax cross-entropy of one row set, float64: probabilities and per-row losses. */
export function softmaxXent64(logits: ArrayLike<number>, targets: ArrayLike<number>, n: number, v: number) {
  const probs = new Float64Array(n * v);
  const losses = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let rowMax = -Infinity;
    for (let j = 0; j < v; j++) rowMax = max(rowMax, logits[r * v + j]);
    let sum = 0;
    for (let j = 0; j < v; j++) sum += exp(logits[r * v + j] - rowMax);
    for (let j = 0; j < v; j++) probs[r * v + j] = exp(logits[r * v + j] - rowMax) / sum;
    losses[r] = log(sum) + rowMax - logits[r * v + targets[r]];
  }
  return { probs, losses };
}

/**
 * Central finite differences in float64 of a scalar function f at x, for every coordinate:
 * (f(x + h·e_i) - f(x - h·e_i)) / 2h, error O(h²·f''').
 */
export function finiteDiff(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-5): Float64Array {
  const xv = Float64Array.from(x);
  const grad = new Float64Array(xv.length);
  for (let i = 0; i < xv.length; i++) {
    const orig = xv[i];
    xv[i] = orig + h;
    const up = f(xv);
    xv[i] = orig - h;
    const down = f(xv);
    xv[i] = orig;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

/** Σ w_i·y_i: turns a tensor-valued function into the scalar a finite difference needs. */
export function dot64(w: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += w[i] * y[i];
  return s;
}
