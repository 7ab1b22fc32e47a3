import { initialValues } from '../../ts/nn/init.js';
import { Rng } from '../../ts/util/rng.js';

const W = (shape: number[]) => ({ shape, role: 'weight' as const });
const B = (shape: number[]) => ({ shape, role: 'bias' as const });
const std = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);

test("normalized: each column of a matrix has unit norm (torch.norm(p, dim=0)), a bias has unit norm", () => {
  const w = initialValues('normalized', { shape: [65, 128], role: 'weight' }, new Rng(1));
  for (let j = 0; j < 128; j++) {
    let s = 0;
    for (let i = 0; i < 65; i++) s += w[i * 128 + j] ** 2;
    expect(Math.sqrt(s)).toBeCloseTo(1, 5);
  }
  const b = initialValues('normalized', { shape: [128], role: 'bias' }, new Rng(2));
  expect(Math.sqrt(b.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 5);
});

test('randn is N(0, 1) for weights and biases alike; kaiming and xavier scale weights and zero biases', () => {
  expect(std(initialValues('randn', W([200, 100]), new Rng(3)))).toBeCloseTo(1, 1);
  expect(std(initialValues('randn', B([20000]), new Rng(3)))).toBeCloseTo(1, 1);
  expect(std(initialValues('kaiming', W([200, 100]), new Rng(4))) / Math.sqrt(2 / 200)).toBeCloseTo(1, 1);
  expect(std(initialValues('xavier', W([200, 100]), new Rng(5))) / Math.sqrt(2 / 300)).toBeCloseTo(1, 1);
  expect(Array.from(new Set(initialValues('kaiming', B([7]), new Rng(6))))).toEqual([0]);
  expect(Array.from(new Set(initialValues('xavier', B([7]), new Rng(6))))).toEqual([0]);
});

test('an unknown init is refused', () => {
  expect(() => initialValues('orthogonal' as 'randn', W([2, 2]), new Rng(1))).toThrow(/unknown init 'orthogonal'. Fix: use one of randn, normalized, kaiming, xavier/);
});

test('gains start at 1 under every init; embeddings are N(0, 1) under kaiming and xavier; nothing else draws for them', () => {
  for (const init of ['randn', 'normalized', 'kaiming', 'xavier'] as const) {
    const rng = new Rng(7);
    expect(Array.from(new Set(initialValues(init, { shape: [16], role: 'gain' }, rng)))).toEqual([1]);
    expect(rng.getState()).toEqual(new Rng(7).getState()); // a gain draws nothing
  }
  for (const init of ['kaiming', 'xavier'] as const) {
    expect(std(initialValues(init, { shape: [300, 40], role: 'embedding' }, new Rng(8)))).toBeCloseTo(1, 1);
  }
  expect(() => initialValues('kaiming', W([2, 3, 4]), new Rng(1))).toThrow(/kaiming init needs a 2-D weight \(fan_in, fan_out\), got shape \(2,3,4\)/);
});
