import type { Backend } from '../../ts/backend/backend.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { dot64, finiteDiff, gelu64 } from '../helpers/reference.js';

// Tolerances. The kernels evaluate 1 + erf through erfc (fit error 1.2e-7) whose f32 relative
// error grows as 2z²·2^-24 (crate/src/math.rs): measured ≤ 1.8e-6 for |x| ≤ 4, ≤ 4.4e-6 for
// x in [-6, -4], where |gelu(x)| ≤ 1.3e-4, so there the absolute error is below 6e-10.
// Hence rtol 2e-6 with atol 1e-9.
const GELU_TOL = { rtol: 2e-6, atol: 1e-9 };
// The gradient adds x·φ(x) to Φ(x): the same relative errors on terms of either sign, so an
// absolute floor scaled to the O(1) gradient: 3e-6·(1 + |x|·φ(x)) ≤ 4e-6.
const GELU_GRAD_TOL = { rtol: 3e-6, atol: 4e-6 };

const SIZES = [1, 3, 5, 7, 64, 65, 1024 * 128 + 3];

/** Normal draws with spread 2.5 plus the values where GELU is delicate. */
function inputs(n: number, seed: number): Float32Array {
  const x = new Rng(seed).normals(n, 2.5);
  const special = [0, -0, 1e-30, -1e-30, 1e-4, -1e-4, 5.9, -5.9, 3, -3, 0.5, -0.5];
  for (let i = 0; i < Math.min(n, special.length); i++) x[i] = special[i];
  return x.map((v) => Math.max(-6, Math.min(6, v)));
}

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

describe('geluForward against float64', () => {
  for (const n of SIZES) {
    test(`n = ${n}`, () => {
      const x = inputs(n, n);
      const ref = Float64Array.from(x, gelu64);
      for (const be of backends) {
        const tx = be.fromArray([n], x);
        const out = be.fromArray([n], new Float32Array(n).fill(9));
        be.geluForward(out, tx);
        expectClose(`${be.name} gelu`, out.f32(), ref, GELU_TOL);
        be.geluForward(tx, tx); // in place is allowed
        expectClose(`${be.name} gelu in place`, tx.f32(), ref, GELU_TOL);
      }
    });
  }
});

test('gelu of large magnitudes: x for x ≫ 0, -0 or tiny for x ≪ 0, NaN stays NaN', () => {
  const x = new Float32Array([10, 40, 1e30, -10, -40, -1e30, NaN]);
  for (const be of backends) {
    const out = be.tensor([x.length]);
    be.geluForward(out, be.fromArray([x.length], x));
    const y = out.f32();
    expect([y[0], y[1], y[2]]).toEqual([10, 40, 1e30].map(Math.fround));
    for (const i of [3, 4, 5]) expect(Math.abs(y[i])).toBeLessThan(1e-20);
    expect(Number.isNaN(y[6])).toBe(true);
  }
});

describe('geluBackward against finite differences of the float64 forward', () => {
  for (const n of SIZES) {
    test(`n = ${n}`, () => {
      const x = inputs(n, 100 + n);
      const dout = new Rng(200 + n).normals(n);
      const grad = n <= 1024
        ? finiteDiff((xv) => dot64(dout, Array.from(xv, gelu64)), x, 1e-6)
        // Elementwise: the finite difference of each element alone gives the same numbers, faster.
        : Float64Array.from(x, (v, i) => ((gelu64(v + 1e-6) - gelu64(v - 1e-6)) / 2e-6) * dout[i]);
      const initial = new Rng(300 + n).normals(n);
      const expected = Float64Array.from(grad, (g, i) => g + initial[i]);
      for (const be of backends) {
        const dinp = be.fromArray([n], initial);
        const inp = be.fromArray([n], x);
        const out = be.tensor([n]);
        be.geluForward(out, inp);
        be.geluBackward(dinp, inp, out, be.fromArray([n], dout));
        expectClose(`${be.name} dinp (accumulated)`, dinp.f32(), expected, {
          rtol: GELU_GRAD_TOL.rtol,
          bound: Float64Array.from(dout, (d, i) => GELU_GRAD_TOL.atol * Math.abs(d) + 1e-7 * Math.abs(initial[i])),
        });
      }
    });
  }
});
