import { conditionalEntropy, pairCounts } from '../../ts/data/pairs.js';

test('pair counts: each token and the next, inside the part only', () => {
  // Tokens 0 1 0 2 0 2 1; the part [1, 6) holds 1 0 2 0 2: pairs 1→0, 0→2, 2→0, 0→2.
  const counts = pairCounts(Int32Array.from([0, 1, 0, 2, 0, 2, 1]), { start: 1, end: 6 }, 3);
  const expected = new Float64Array(9);
  expected[1 * 3 + 0] = 1;
  expected[0 * 3 + 2] = 2;
  expected[2 * 3 + 0] = 1;
  expect(Array.from(counts)).toEqual(Array.from(expected));
});

test("conditional entropy: the frequency-weighted entropy of each token's next-token distribution", () => {
  // a is followed by b twice and c twice (ln 2 nats each), b by a once (0 nats): 4 ln 2 / 5.
  const counts = new Float64Array(9);
  counts[0 * 3 + 1] = 2;
  counts[0 * 3 + 2] = 2;
  counts[1 * 3 + 0] = 1;
  expect(conditionalEntropy(counts, 3)).toBeCloseTo((4 * Math.log(2)) / 5, 14);
  // A text that always alternates is fully predictable from one character.
  expect(conditionalEntropy(pairCounts(Int32Array.from([0, 1, 0, 1, 0, 1]), { start: 0, end: 6 }, 2), 2)).toBe(0);
  expect(conditionalEntropy(new Float64Array(4), 2)).toBe(0);
});
