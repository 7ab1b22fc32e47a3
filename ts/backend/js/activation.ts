import { onePlusErf } from './math.js';

// Math's functions bound once: a global lookup per element is slow inside a vm context (jest's).
const { exp } = Math;

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** gelu(x) = x·Φ(x) = ½·x·(1 + erf(x/√2)), the exact form (PyTorch's default). */
export const gelu = (x: number) => 0.5 * x * onePlusErf(x * SQRT1_2);

/** gelu'(x) = Φ(x) + x·φ(x). */
export const geluGrad = (x: number) => 0.5 * onePlusErf(x * SQRT1_2) + x * INV_SQRT_2PI * exp(-0.5 * x * x);

export function geluForward(out: Float32Array, inp: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = gelu(inp[i]);
}

/** dinp += gelu'(inp) · dout. */
export function geluBackward(dinp: Float32Array, inp: Float32Array, dout: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) dinp[i] += geluGrad(inp[i]) * dout[i];
}
