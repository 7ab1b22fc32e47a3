import type { Backend } from '../../ts/backend/backend.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';

const SIZES = [1, 3, 5, 7, 65, 8320];

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

describe('sgdStep', () => {
  for (const n of SIZES) {
    test(`n = ${n}: param - lr·grad`, () => {
      const rng = new Rng(n);
      const p = rng.normals(n);
      const g = rng.normals(n);
      const lr = 0.01;
      const expected = Float64Array.from(p, (v, i) => v - lr * g[i]);
      for (const be of backends) {
        const tp = be.fromArray([n], p);
        be.sgdStep(tp, be.fromArray([n], g), lr);
        // Two f32 roundings (the product, the difference) and lr itself rounded to f32.
        expectClose(`${be.name} param`, tp.f32(), expected, { rtol: 3 * 2 ** -24, atol: 1e-9 });
      }
    });
  }
});

/** torch.optim.Adam's update (no weight decay, not amsgrad) in float64, step by step. */
function adam64(p: Float64Array, m: Float64Array, v: Float64Array, g: ArrayLike<number>, step: number, lr: number, b1: number, b2: number, eps: number) {
  for (let i = 0; i < p.length; i++) {
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    const mHat = m[i] / (1 - b1 ** step);
    const vHat = v[i] / (1 - b2 ** step);
    p[i] -= (lr * mHat) / (Math.sqrt(vHat) + eps);
  }
}

describe('adamStep: five steps against torch.optim.Adam\'s formula in float64', () => {
  for (const n of SIZES) {
    test(`n = ${n}`, () => {
      const rng = new Rng(100 + n);
      const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
      const p0 = rng.normals(n);
      const grads = Array.from({ length: 5 }, () => rng.normals(n));
      const p = Float64Array.from(p0);
      const m = new Float64Array(n);
      const v = new Float64Array(n);
      grads.forEach((g, s) => adam64(p, m, v, g, s + 1, hyper.lr, hyper.beta1, hyper.beta2, hyper.eps));
      for (const be of backends) {
        const tp = be.fromArray([n], p0);
        const tm = be.tensor([n]);
        const tv = be.tensor([n]);
        grads.forEach((g, s) => be.adamStep(tp, be.fromArray([n], g), tm, tv, { ...hyper, step: s + 1 }));
        // Each update moves p by ≤ lr; its f32 arithmetic is ~10 roundings of that update, and p
        // itself is rounded once per step: 5·(2^-24·|p| + 1e-6·lr).
        expectClose(`${be.name} param`, tp.f32(), p, { rtol: 5 * 2 ** -24, atol: 5e-8 });
        // m averages gradients of either sign (|g| ≲ 4), so it cancels: its error is absolute,
        // ≤ 5 steps × 2 roundings × 2^-24 × (0.9·|m| + 0.1·|g|) < 3e-7.
        expectClose(`${be.name} m`, tm.f32(), m, { atol: 3e-7 });
        expectClose(`${be.name} v`, tv.f32(), v, { rtol: 1e-6, atol: 1e-12 });
      }
    });
  }
});

describe('adamStep as AdamW with a clipping factor: five steps against torch.optim.AdamW\'s formula in float64', () => {
  for (const n of [5, 67]) {
    test(`n = ${n}`, () => {
      const rng = new Rng(300 + n);
      const hyper = { lr: 1e-2, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, gradScale: 0.25 };
      const p0 = rng.normals(n);
      const grads = Array.from({ length: 5 }, () => rng.normals(n));
      const p = Float64Array.from(p0);
      const m = new Float64Array(n);
      const v = new Float64Array(n);
      grads.forEach((g, s) => {
        // torch.optim.AdamW: param.mul_(1 - lr·wd), then Adam's step, on the clipped gradient.
        for (let i = 0; i < n; i++) p[i] *= 1 - hyper.lr * hyper.weightDecay;
        adam64(p, m, v, g.map((x) => x * hyper.gradScale), s + 1, hyper.lr, hyper.beta1, hyper.beta2, hyper.eps);
      });
      for (const be of backends) {
        const tp = be.fromArray([n], p0);
        const [tm, tv] = [be.tensor([n]), be.tensor([n])];
        grads.forEach((g, s) => be.adamStep(tp, be.fromArray([n], g), tm, tv, { ...hyper, step: s + 1 }));
        expectClose(`${be.name} param`, tp.f32(), p, { rtol: 5 * 2 ** -24, atol: 5e-8 });
        expectClose(`${be.name} m`, tm.f32(), m, { atol: 1e-7 });
      }
    });
  }
});

test('Adam without decay and clipping is unchanged to the bit by their defaults', () => {
  for (const be of backends) {
    const rng = new Rng(9);
    const [p0, g] = [rng.normals(37), rng.normals(37)];
    const run = (extra: object) => {
      const [tp, tm, tv] = [be.fromArray([37], p0), be.tensor([37]), be.tensor([37])];
      be.adamStep(tp, be.fromArray([37], g), tm, tv, { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, step: 1, ...extra });
      return tp.toArray();
    };
    expect(run({ weightDecay: 0, gradScale: 1 })).toEqual(run({}));
  }
});

test('sumSquares: Σ x² against float64', () => {
  for (const be of backends) {
    for (const n of [1, 7, 1025, 50_001]) {
      const x = new Rng(n).normals(n);
      const want = x.reduce((a, v) => a + v * v, 0);
      expectClose(`${be.name} n=${n}`, [be.sumSquares(be.fromArray([n], x))], [want], { rtol: 1e-5 });
    }
  }
});
