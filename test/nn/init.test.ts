import { initialValues } from '../../ts/nn/init.js';
import { Rng } from '../../ts/util/rng.js';

const std = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);

test("normalized: each column of a matrix has unit norm (torch.norm(p, dim=0)), a bias has unit norm", () => {
  const w = initialValues('normalized', [65, 128], new Rng(1));
  for (let j = 0; j < 128; j++) {
    let s = 0;
    for (let i = 0; i < 65; i++) s += w[i * 128 + j] ** 2;
    expect(Math.sqrt(s)).toBeCloseTo(1, 5);
  }
  const b = initialValues('normalized', [128], new Rng(2));
  expect(Math.sqrt(b.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 5);
});

test('randn is N(0, 1) for weights and biases alike; kaiming and xavier scale weights and zero biases', () => {
  expect(std(initialValues('randn', [200, 100], new Rng(3)))).toBeCloseTo(1, 1);
  expect(std(initialValues('randn', [20000], new Rng(3)))).toBeCloseTo(1, 1);
  expect(std(initialValues('kaiming', [200, 100], new Rng(4))) / Math.sqrt(2 / 200)).toBeCloseTo(1, 1);
  expect(std(initialValues('xavier', [200, 100], new Rng(5))) / Math.sqrt(2 / 300)).toBeCloseTo(1, 1);
  expect(Array.from(new Set(initialValues('kaiming', [7], new Rng(6))))).toEqual([0]);
  expect(Array.from(new Set(initialValues('xavier', [7], new Rng(6))))).toEqual([0]);
});

test('an unknown init is refused', () => {
  expect(() => initialValues('orthogonal' as 'randn', [2, 2], new Rng(1))).toThrow(/unknown init 'orthogonal'. Fix: use one of randn, normalized, kaiming, xavier/);
});
