import type { Backend } from '../../ts/backend/backend.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { dot64, finiteDiff, softmaxXent64 } from '../helpers/reference.js';

// Tolerances. Probabilities: exp's 2 ulp and the f32 sum of ≤ v terms (v·2^-24 relative to
// the largest probability ≤ 1): atol 2e-6 covers v = 129. Losses: ln(sum) ± (v+4)·2^-24, plus
// the f32 logits' own difference (exact), so atol 1e-5 for |loss| up to ~20, rtol 1e-6.
const PROB_TOL = { atol: 2e-6, rtol: 1e-5 };
const LOSS_TOL = { atol: 1e-5, rtol: 1e-6 };

const SHAPES: [number, number][] = [[1, 1], [1, 2], [3, 5], [7, 1], [4, 64], [9, 65], [1024, 65], [65, 129]];

function problem(n: number, v: number, seed: number, scale = 3) {
  const rng = new Rng(seed);
  const logits = rng.normals(n * v, scale);
  const targets = Int32Array.from({ length: n }, () => rng.int(v));
  return { logits, targets };
}

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

describe('softmaxXentForward against float64', () => {
  for (const [n, v] of SHAPES) {
    test(`(${n},${v})`, () => {
      const { logits, targets } = problem(n, v, n * 31 + v);
      const ref = softmaxXent64(logits, targets, n, v);
      const meanRef = ref.losses.reduce((a, b) => a + b, 0) / n;
      for (const be of backends) {
        const probs = be.fromArray([n, v], new Float32Array(n * v).fill(7));
        const losses = be.tensor([n]);
        const mean = be.softmaxXentForward(probs, be.fromArray([n, v], logits), be.fromArray([n], targets, 'i32'), losses);
        expectClose(`${be.name} probs`, probs.f32(), ref.probs, PROB_TOL);
        expectClose(`${be.name} losses`, losses.f32(), ref.losses, LOSS_TOL);
        expectClose(`${be.name} mean loss`, [mean], [meanRef], LOSS_TOL);
        // Without the per-row losses the mean is the same.
        const mean2 = be.softmaxXentForward(probs, be.fromArray([n, v], logits), be.fromArray([n], targets, 'i32'));
        expect(mean2).toBe(mean);
      }
    });
  }
});

test('huge logits do not overflow (max-subtracted); uniform logits give ln v', () => {
  const v = 65;
  const logits = new Float32Array(2 * v);
  logits.fill(80, 0, v);
  logits[3] = 1e30; // row 0: one enormous logit
  logits.fill(-1e4, v); // row 1: all equal and very negative
  const targets = new Int32Array([3, 0]);
  for (const be of backends) {
    const probs = be.tensor([2, v]);
    const losses = be.tensor([2]);
    be.softmaxXentForward(probs, be.fromArray([2, v], logits), be.fromArray([2], targets, 'i32'), losses);
    const p = probs.f32();
    expect(p[3]).toBe(1);
    expect(losses.f32()[0]).toBe(0);
    expectClose(`${be.name} uniform probs`, p.subarray(v), new Array(v).fill(1 / v), { rtol: 1e-6 });
    expectClose(`${be.name} uniform loss`, [losses.f32()[1]], [Math.log(v)], { rtol: 1e-6 });
  }
});

describe('softmaxXentBackward against finite differences of the float64 loss', () => {
  for (const [n, v] of [[1, 1], [3, 5], [7, 1], [9, 65], [4, 129]] as [number, number][]) {
    test(`(${n},${v})`, () => {
      const { logits, targets } = problem(n, v, 7 * n + v, 2);
      const dlosses = new Rng(n).normals(n); // an arbitrary upstream gradient, not only 1/n
      const grad = finiteDiff((x) => dot64(dlosses, softmaxXent64(x, targets, n, v).losses), logits, 1e-6);
      const initial = new Rng(v).normals(n * v);
      const expected = grad.map((g, i) => g + initial[i]);
      for (const be of backends) {
        const probs = be.tensor([n, v]);
        const tTargets = be.fromArray([n], targets, 'i32');
        be.softmaxXentForward(probs, be.fromArray([n, v], logits), tTargets);
        const dlogits = be.fromArray([n, v], initial);
        be.softmaxXentBackward(dlogits, be.fromArray([n], dlosses), probs, tTargets);
        expectClose(`${be.name} dlogits (accumulated)`, dlogits.f32(), expected, { atol: 1e-5, rtol: 1e-5 });
      }
    });
  }
});

describe('softmaxForward against float64, and bit-identical to the probabilities of softmaxXentForward', () => {
  for (const [n, v] of SHAPES) {
    test(`(${n},${v})`, () => {
      const { logits, targets } = problem(n, v, n * 37 + v);
      const ref = softmaxXent64(logits, targets, n, v);
      for (const be of backends) {
        const tl = be.fromArray([n, v], logits);
        const alone = be.fromArray([n, v], new Float32Array(n * v).fill(5)); // overwritten
        be.softmaxForward(alone, tl);
        expectClose(`${be.name} softmax`, alone.f32(), ref.probs, PROB_TOL);
        const withLoss = be.tensor([n, v]);
        be.softmaxXentForward(withLoss, tl, be.fromArray([n], targets, 'i32'));
        expect(alone.toArray()).toEqual(withLoss.toArray());
      }
    });
  }
});
