// Math's functions bound once: a global lookup per element is slow inside a vm context (jest's).
const { exp, log, max } = Math;

/**
 * Softmax + cross-entropy per row, max-subtracted: probs (n,v) = softmax(logits), losses[i] =
 * ln Σ e^(x - max) - (x_target - max). Returns the mean loss.
 */
export function softmaxXentForward(
  losses: Float32Array | null, probs: Float32Array, logits: Float32Array, targets: Int32Array, n: number, v: number,
): number {
  let total = 0;
  for (let r = 0; r < n; r++) {
    const row = r * v;
    let rowMax = -Infinity;
    for (let j = 0; j < v; j++) rowMax = max(rowMax, logits[row + j]);
    let sum = 0;
    for (let j = 0; j < v; j++) {
      const e = exp(logits[row + j] - rowMax);
      probs[row + j] = e;
      sum += e;
    }
    for (let j = 0; j < v; j++) probs[row + j] /= sum;
    const loss = log(sum) - (logits[row + targets[r]] - rowMax);
    if (losses) losses[r] = loss;
    total += loss;
  }
  return total / n;
}

/** dlogits (n,v) += (probs - onehot(targets)) · dlosses. */
export function softmaxXentBackward(
  dlogits: Float32Array, dlosses: Float32Array, probs: Float32Array, targets: Int32Array, n: number, v: number,
): void {
  for (let r = 0; r < n; r++) {
    const row = r * v;
    const dl = dlosses[r];
    for (let j = 0; j < v; j++) dlogits[row + j] += probs[row + j] * dl;
    dlogits[row + targets[r]] -= dl;
  }
}
