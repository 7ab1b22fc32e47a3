/** out (rows,cols) += bias (cols). */
export function biasForward(out: Float32Array, bias: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let j = 0; j < cols; j++) out[row + j] += bias[j];
  }
}

/** dbias (cols) += Σ_rows dout (rows,cols). */
export function biasBackward(dbias: Float32Array, dout: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let j = 0; j < cols; j++) dbias[j] += dout[row + j];
  }
}
