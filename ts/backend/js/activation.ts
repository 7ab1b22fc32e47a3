import type { Kernels } from '../kernels.js';
import { onePlusErf } from './math.js';
import type { Views } from './memory.js';

// Math's functions bound once: a global lookup per element is slow inside a vm context (jest's).
const { exp } = Math;

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** gelu(x) = x·Φ(x) = ½·x·(1 + erf(x/√2)), the exact form (PyTorch's default). */
export const gelu = (x: number) => 0.5 * x * onePlusErf(x * SQRT1_2);

/** gelu'(x) = Φ(x) + x·φ(x). */
export const geluGrad = (x: number) => 0.5 * onePlusErf(x * SQRT1_2) + x * INV_SQRT_2PI * exp(-0.5 * x * x);

/** crate/src/activation.rs in plain TypeScript. */
export const activationKernels = (mem: Views) =>
  ({
    /** out (n) = gelu(inp (n)); out may be inp. */
    gelu_forward(outPtr: number, inpPtr: number, n: number, _part: number, _parts: number): void {
      const out = mem.f32(outPtr, n);
      const inp = mem.f32(inpPtr, n);
      for (let i = 0; i < n; i++) out[i] = gelu(inp[i]);
    },

    /**
     * dinp += gelu'(inp) · dout. The readable form recomputes gelu'(x) from x alone; the wasm
     * kernel reuses the forward's output.
     */
    gelu_backward(dinpPtr: number, inpPtr: number, _outPtr: number, doutPtr: number, n: number, _part: number, _parts: number): void {
      const dinp = mem.f32(dinpPtr, n);
      const inp = mem.f32(inpPtr, n);
      const dout = mem.f32(doutPtr, n);
      for (let i = 0; i < n; i++) dinp[i] += geluGrad(inp[i]) * dout[i];
    },
  }) satisfies Partial<Kernels>;
