/** out (n,c) = weight[idx]: one_hot(idx) @ weight, as a row gather. */
export function embeddingForward(out: Float32Array, idx: Int32Array, weight: Float32Array, n: number, c: number): void {
  for (let i = 0; i < n; i++) out.set(weight.subarray(idx[i] * c, idx[i] * c + c), i * c);
}

/** dweight[idx[i]] += dout[i], as a scatter-add. */
export function embeddingBackward(dweight: Float32Array, idx: Int32Array, dout: Float32Array, n: number, c: number): void {
  for (let i = 0; i < n; i++) {
    const dst = idx[i] * c;
    const src = i * c;
    for (let j = 0; j < c; j++) dweight[dst + j] += dout[src + j];
  }
}
