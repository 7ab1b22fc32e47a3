import type { Kernels } from '../../ts/backend/kernels.js';
import { biasKernels } from '../../ts/backend/js/bias.js';
import { ArrayBufferMemory } from '../../ts/backend/js/memory.js';

// wasm-bindgen's generated wasm/wasmgrad-kernels.d.ts types every implementation of the kernels.
// The checks below are made by the type checker (`npm test` runs tsc before jest): the typecheck
// fails if a line marked as an expected error ever compiles.

test('a kernel set without every kernel of the wasm module is a compile error', () => {
  // @ts-expect-error: matmul, gelu_forward, ... are missing
  const incomplete: Kernels = { ...biasKernels(new ArrayBufferMemory(64)) };
  expect(Object.keys(incomplete)).toEqual(['bias_forward', 'bias_backward']);
});

test('a twin that wants more arguments than the export takes is a compile error', () => {
  // @ts-expect-error: axpy takes (y, x, n, alpha, part, parts)
  const twin: Kernels['axpy'] = (_y: number, _x: number, _n: number, _alpha: number, _part: number, _parts: number, _beta: number) => {};
  expect(twin.length).toBe(7);
});

test('calling a kernel the module does not export is a compile error', () => {
  const call = (k: Kernels) => {
    // @ts-expect-error: there is no layernorm_forward3d export
    k.layernorm_forward3d(0, 0, 0);
  };
  expect(() => call({} as Kernels)).toThrow(TypeError);
});
