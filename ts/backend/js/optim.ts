// Math's functions bound once: a global lookup per element is slow inside a vm context (jest's).
const { sqrt } = Math;

/** y += alpha · x. */
export function axpy(y: Float32Array, x: Float32Array, n: number, alpha: number): void {
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}

/** param -= lr · grad. */
export function sgdStep(param: Float32Array, grad: Float32Array, n: number, lr: number): void {
  for (let i = 0; i < n; i++) param[i] -= lr * grad[i];
}

/** Adam; stepSize = lr / (1 - β1^t), invSqrtBc2 = 1 / √(1 - β2^t) (see crate/src/optim.rs). */
export function adamStep(
  param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, n: number,
  stepSize: number, beta1: number, beta2: number, eps: number, invSqrtBc2: number,
): void {
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    const mi = (m[i] = beta1 * m[i] + (1 - beta1) * g);
    const vi = (v[i] = beta2 * v[i] + (1 - beta2) * g * g);
    param[i] -= (stepSize * mi) / (sqrt(vi) * invSqrtBc2 + eps);
  }
}
