// Math's functions bound once: a global lookup per element is slow inside a vm context (jest's).
const { abs } = Math;

/** mean |x|. */
export function meanAbs(x: Float32Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += abs(x[i]);
  return sum / n;
}
