import type { Backend } from '../../ts/backend/backend.js';
import { createBackend, WasmgradError } from '../../ts/backend/index.js';
import { nodeWasmSources } from '../../ts/node/backends.js';
import { allBackends } from '../helpers/backends.js';

// Bad input is caught at the boundary, before wasm is called: a WasmgradError whose message names
// the kernel, the shapes and the fix — and the output tensors are left as they were.

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

/** Expects `fn` to throw a WasmgradError whose message contains every fragment. */
function expectError(fn: () => unknown, ...fragments: (string | RegExp)[]) {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WasmgradError);
  const message = (error as Error).message;
  for (const f of fragments) expect(message).toMatch(f);
  expect(message).toMatch(/Fix: /);
}

describe.each(['wasm-simd', 'wasm-scalar', 'js'])('%s', (name) => {
  let be: Backend;
  beforeAll(() => {
    be = backends.find((b) => b.name === name)!;
  });

  test('matmul: inner dimensions, output shape, transposes and aliasing', () => {
    const a = be.tensor([3, 5]);
    const b = be.tensor([4, 2]);
    const c = be.fromArray([3, 2], [1, 2, 3, 4, 5, 6]);
    expectError(() => be.matmul(c, a, b), 'matmul(transA=false, transB=false)', 'inner dimensions 5 and 4 differ', 'a f32(3,5)', 'b f32(4,2)', 'c f32(3,2)');
    expectError(() => be.matmul(c, a, be.tensor([5, 3])), 'c is (3,2) but must be (3,3)');
    expectError(() => be.matmul(c, a, be.tensor([2, 5]), { transA: true }), 'matmul(transA=true', 'inner dimensions 3 and 2 differ');
    expectError(() => be.matmul(a, a, be.tensor([5, 5])), 'c overlaps a');
    expectError(() => be.matmul(be.tensor([3]), a, b), 'c has rank 1 but must have rank 2');
    expect(c.toArray()).toEqual([1, 2, 3, 4, 5, 6]); // untouched
  });

  test('a tensor from another backend, a disposed tensor, a wrong dtype', () => {
    const other = backends.find((b) => b.name !== be.name)!;
    const out = be.tensor([2, 2]);
    expectError(() => be.matmul(out, other.tensor([2, 2]), be.tensor([2, 2])), `a belongs to backend ${other.name}, not ${be.name}`);
    const dead = be.tensor([2, 2]);
    dead.dispose();
    expectError(() => be.matmul(out, dead, be.tensor([2, 2])), 'a was disposed');
    expectError(() => be.geluForward(out, be.tensor([2, 2], 'i32')), 'inp is i32 but must be f32');
    expectError(() => be.softmaxXentForward(be.tensor([2, 2]), be.tensor([2, 2]), be.tensor([2])), 'targets is f32 but must be i32');
  });

  test('elementwise and bias shapes', () => {
    expectError(() => be.geluForward(be.tensor([4]), be.tensor([5])), 'geluForward', 'out is (4) but must be (5)');
    expectError(() => be.geluBackward(be.tensor([5]), be.tensor([5]), be.tensor([5]), be.tensor([6])), 'geluBackward', 'dout is (6) but must be (5)');
    expectError(() => be.biasForward(be.tensor([3, 65]), be.tensor([64])), 'biasForward', 'bias is (64) but must be (65)');
    expectError(() => be.biasBackward(be.tensor([5]), be.tensor([3, 4])), 'biasBackward', 'dbias is (5) but must be (4)');
    expectError(() => be.sgdStep(be.tensor([3]), be.tensor([4]), 0.1), 'sgdStep', 'grad is (4) but must be (3)');
  });

  test('softmax cross-entropy: shapes and out-of-range targets', () => {
    const logits = be.tensor([2, 65]);
    const probs = be.fromArray([2, 65], new Float32Array(130).fill(0.5));
    expectError(() => be.softmaxXentForward(probs, logits, be.fromArray([2], [0, 65], 'i32')), 'softmaxXentForward', 'targets[1] = 65 is outside [0, 65)');
    expectError(() => be.softmaxXentForward(probs, logits, be.fromArray([2], [-1, 0], 'i32')), 'targets[0] = -1 is outside [0, 65)');
    expectError(() => be.softmaxXentForward(probs, logits, be.tensor([3], 'i32')), 'targets is (3) but must be (2)');
    expectError(() => be.softmaxXentForward(probs, be.tensor([0, 65]), be.tensor([0], 'i32')), 'rows of logits is 0 but must be a positive integer');
    expectError(() => be.softmaxXentBackward(be.tensor([2, 65]), be.tensor([2]), probs, be.fromArray([2], [3, 99], 'i32')), 'softmaxXentBackward', 'targets[1] = 99');
    expect(new Set(probs.toArray())).toEqual(new Set([0.5])); // untouched
  });

  test('embedding: out-of-range and non-integer indices', () => {
    const w = be.tensor([65, 8]);
    expectError(() => be.embeddingForward(be.tensor([2, 8]), be.fromArray([2], [64, 65], 'i32'), w), 'embeddingForward', 'idx[1] = 65 is outside [0, 65)', 'valid row of weight');
    expectError(() => be.embeddingBackward(w, be.fromArray([1], [70], 'i32'), be.tensor([1, 8])), 'embeddingBackward', 'idx[0] = 70');
    expectError(() => be.embeddingForward(be.tensor([3, 8]), be.tensor([2], 'i32'), w), 'out is (3,8) but must be (2,8)');
    expectError(() => be.fromArray([2], [1, 2.5], 'i32'), 'data[1] = 2.5 is not a 32-bit integer');
    expectError(() => be.fromArray([2], [1, NaN], 'i32'), 'data[1] = NaN is not a 32-bit integer');
  });

  test('creation: wrong data length, bad shapes, bad dtype', () => {
    expectError(() => be.fromArray([2, 3], [1, 2, 3]), 'data has 3 values but t has 6');
    expectError(() => be.tensor([2, -1]), 'shape [2,-1] is invalid');
    expectError(() => be.tensor([1.5]), 'shape [1.5] is invalid');
    expectError(() => be.tensor([2], 'f16' as 'f32'), "unknown dtype 'f16'");
  });

  test('optimizer hyper-parameters', () => {
    const p = be.tensor([4]);
    const g = be.tensor([4]);
    expectError(() => be.sgdStep(p, g, NaN), 'lr is NaN but must be a finite number');
    const hyper = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1 };
    expectError(() => be.adamStep(p, g, be.tensor([4]), be.tensor([4]), { ...hyper, step: 0 }), 'step is 0 but must be a positive integer');
    expectError(() => be.adamStep(p, g, be.tensor([4]), be.tensor([4]), { ...hyper, beta2: 1 }), 'beta2 is 1 but must be in [0, 1)');
    expectError(() => be.adamStep(p, g, be.tensor([5]), be.tensor([4]), hyper), 'm is (5) but must be (4)');
    expectError(() => be.adamStep(p, g, p, be.tensor([4]), hyper), 'param overlaps m');
    expectError(() => be.meanAbs(be.tensor([0])), 'size of x is 0');
  });
});

test('an unknown backend name', async () => {
  await expect(createBackend('gpu' as 'js', nodeWasmSources)).rejects.toThrow(/unknown backend 'gpu'. Fix: use one of wasm-simd, wasm-scalar, js/);
});

test('wasm bytes that are not the kernel module', async () => {
  await expect(createBackend('wasm-simd', { simd: () => new Uint8Array([1, 2, 3]), scalar: nodeWasmSources.scalar })).rejects.toThrow(
    /wasm-simd: the kernel module failed to compile .* Fix: pass the bytes of wasm\/wasmgrad-simd.wasm/,
  );
  // The scalar file where the SIMD build was asked for.
  await expect(createBackend('wasm-simd', { simd: nodeWasmSources.scalar, scalar: nodeWasmSources.scalar })).rejects.toThrow(/got the scalar build/);
});

test('without WebAssembly SIMD, wasm-simd falls back to wasm-scalar and says so', async () => {
  const validate = WebAssembly.validate;
  WebAssembly.validate = () => false; // an engine without SIMD rejects the probe module
  try {
    const messages: string[] = [];
    const be = await createBackend('wasm-simd', nodeWasmSources, { onFallback: (m) => messages.push(m) });
    expect(be.name).toBe('wasm-scalar');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/does not support WebAssembly SIMD; using wasm-scalar/);
  } finally {
    WebAssembly.validate = validate;
  }
  expect(WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))).toBe(true);
});
