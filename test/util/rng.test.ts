import { Rng } from '../../ts/util/rng.js';

test('xoshiro128** matches its reference output', () => {
  // First outputs of the reference C implementation (Blackman & Vigna) from state {1, 2, 3, 4}.
  const rng = Rng.fromState([1, 2, 3, 4]);
  expect([rng.nextU32(), rng.nextU32(), rng.nextU32(), rng.nextU32()]).toEqual([11520, 0, 5927040, 70819200]);
});

test('saving and restoring the state continues the same stream', () => {
  const a = new Rng(42);
  for (let i = 0; i < 10; i++) a.nextU32();
  const b = Rng.fromState(a.getState());
  expect(Array.from({ length: 5 }, () => b.normal())).toEqual(Array.from({ length: 5 }, () => a.normal()));
  expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(/not all zero/);
});

test('int(n) is uniform over [0, n) (chi-square, 65 classes)', () => {
  const rng = new Rng(7);
  const n = 65;
  const draws = 65000;
  const counts = new Array(n).fill(0);
  for (let i = 0; i < draws; i++) counts[rng.int(n)]++;
  const expected = draws / n;
  const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  // 64 degrees of freedom: the 0.999 quantile is 110.
  expect(chi2).toBeLessThan(110);
});

test('normal() has the moments of N(0, 1), like torch.randn', () => {
  const rng = new Rng(3);
  const n = 200000;
  let s1 = 0;
  let s2 = 0;
  let s4 = 0;
  for (let i = 0; i < n; i++) {
    const x = rng.normal();
    s1 += x;
    s2 += x * x;
    s4 += x ** 4;
  }
  // Standard errors: mean 1/√n ≈ 0.0022, variance √(2/n) ≈ 0.0032, 4th moment √(96/n) ≈ 0.022.
  expect(Math.abs(s1 / n)).toBeLessThan(0.01);
  expect(Math.abs(s2 / n - 1)).toBeLessThan(0.015);
  expect(Math.abs(s4 / n - 3)).toBeLessThan(0.1);
});
