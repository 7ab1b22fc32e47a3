import type { Backend } from '../../ts/backend/backend.js';
import { WasmgradError } from '../../ts/backend/errors.js';
import { Tape } from '../../ts/autograd/tape.js';
import { Parameter } from '../../ts/autograd/variable.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { finiteDiff, gelu64, matmul64, softmaxXent64 } from '../helpers/reference.js';

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

const param = (be: Backend, name: string, shape: number[], data: ArrayLike<number>) => new Parameter(name, be.fromArray(shape, data), be.tensor(shape));

// The ops the models do not use — a dense input with a gradient, the out-of-place addBias — in a
// graph where w feeds two matmuls, so its gradient must add both contributions:
//   logits = gelu(x @ w + b) @ w
test('dense matmul, addBias, and a weight used twice: gradients match finite differences', () => {
  const [n, m] = [4, 5];
  const rng = new Rng(9);
  const X = rng.normals(n * m);
  const W = rng.normals(m * m, 0.6);
  const B = rng.normals(m, 0.3);
  const targets = Int32Array.from({ length: n }, () => rng.int(m));
  const loss64 = (x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>) => {
    const h = matmul64(x, w, n, m, m, false, false).out.map((val, i) => gelu64(val + b[i % m]));
    const logits = matmul64(h, w, n, m, m, false, false).out;
    return softmaxXent64(logits, targets, n, m).losses.reduce((a, c) => a + c, 0) / n;
  };
  for (const be of backends) {
    const [x, w, b] = [param(be, 'x', [n, m], X), param(be, 'w', [m, m], W), param(be, 'b', [m], B)];
    const tape = new Tape(be);
    const loss = tape.crossEntropy(tape.matmul(tape.gelu(tape.addBias(tape.matmul(x, w), b)), w), be.fromArray([n], targets, 'i32'));
    tape.backward();
    expectClose(`${be.name} loss`, [loss], [loss64(X, W, B)], { rtol: 1e-6 });
    const tol = { atol: 2e-5, rtol: 1e-4 };
    expectClose(`${be.name} dx`, x.grad.f32(), finiteDiff((v) => loss64(v, W, B), X, 1e-6), tol);
    expectClose(`${be.name} dw`, w.grad.f32(), finiteDiff((v) => loss64(X, v, B), W, 1e-6), tol);
    expectClose(`${be.name} db`, b.grad.f32(), finiteDiff((v) => loss64(X, W, v), B, 1e-6), tol);
  }
});

test('repeated passes reuse their buffers: no memory is allocated after the first', () => {
  for (const be of backends) {
    const w = param(be, 'w', [6, 8], new Rng(1).normals(48));
    const b = param(be, 'b', [8], new Rng(2).normals(8));
    const idx = be.fromArray([16], Int32Array.from({ length: 16 }, (_, i) => i % 6), 'i32');
    const tape = new Tape(be);
    const pass = () => {
      tape.reset();
      tape.crossEntropy(tape.gelu(tape.linear(tape.oneHot(idx, 6), w, b)), idx);
      tape.backward();
    };
    pass();
    const inUse = be.bytesInUse;
    for (let i = 0; i < 20; i++) pass();
    expect(be.bytesInUse).toBe(inUse);
  }
});

test('an evaluation tape records nothing and allocates no gradients', () => {
  const be = backends[0];
  const w = param(be, 'w', [3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const tape = new Tape(be, false);
  const logits = tape.matmul(tape.oneHot(be.fromArray([2], [0, 2], 'i32'), 3), w);
  expect(logits.grad).toBeNull();
  expect(Array.from(logits.value.f32())).toEqual([1, 2, 3, 7, 8, 9]);
  expect(() => tape.backward()).toThrow(/does not record/);
});

test('misuse gets a clear error', () => {
  const be = backends[0];
  const tape = new Tape(be);
  const w = param(be, 'w', [4, 2], new Float32Array(8));
  expect(() => tape.backward()).toThrow(/no loss was computed/);
  expect(() => tape.matmul(tape.oneHot(be.tensor([3], 'i32'), 5), w)).toThrow(WasmgradError);
  expect(() => tape.matmul(tape.oneHot(be.tensor([3], 'i32'), 5), w)).toThrow(/depth and rows differ.*Fix: b needs 5 rows/);
  expect(() => tape.oneHot(be.tensor([3]), 4)).toThrow(/indices must be a 1-D i32 tensor/);
});
