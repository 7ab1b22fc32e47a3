import type { Backend } from '../../ts/backend/backend.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose, F32_EPS } from '../helpers/compare.js';
import { dot64, finiteDiff, matmul64 } from '../helpers/reference.js';

// Tolerance: a float32 dot product of length k is within (k+2)·u·Σ|a_ip·b_pj| of the exact value
// (Higham, Accuracy and Stability, §3.1; +2 for rounding the inputs' product and the store).
// This bound is rigorous, so it never fails by chance, yet an indexing or packing bug — a wrong
// element, a missed tail column — is off by O(|a||b|) and fails it by orders of magnitude.
const boundFor = (absScale: Float64Array, k: number) => absScale.map((s) => (k + 2) * F32_EPS * s + 1e-30);

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [7, 1, 3], [1, 9, 1], [5, 3, 9], [13, 17, 11], [4, 8, 8], [33, 65, 17],
  [65, 129, 31], [1024, 65, 128], [1024, 128, 65], [65, 1024, 128], [128, 1024, 65],
  [9, 300, 530], // crosses the kernel's K (256) and N (512) blocks
];
const FORMS = [
  { transA: false, transB: false },
  { transA: false, transB: true },
  { transA: true, transB: false },
  { transA: true, transB: true },
];

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

describe('matmul forward against float64', () => {
  for (const [m, k, n] of SHAPES) {
    for (const { transA, transB } of FORMS) {
      test(`(${m},${k},${n}) transA=${transA} transB=${transB}`, () => {
        const rng = new Rng(m * 1000003 + k * 1009 + n + (transA ? 7 : 0) + (transB ? 11 : 0));
        const a = rng.normals(m * k);
        const b = rng.normals(k * n);
        const ref = matmul64(a, b, m, k, n, transA, transB);
        for (const be of backends) {
          const ta = be.fromArray(transA ? [k, m] : [m, k], a);
          const tb = be.fromArray(transB ? [n, k] : [k, n], b);
          const tc = be.fromArray([m, n], new Float32Array(m * n).fill(123)); // must be overwritten
          be.matmul(tc, ta, tb, { transA, transB });
          expectClose(`${be.name} c`, tc.f32(), ref.out, { bound: boundFor(ref.absScale, k) });
          for (const t of [ta, tb, tc]) t.dispose();
        }
      });
    }
  }
});

test('accumulate adds to c; overwrite replaces it', () => {
  const [m, k, n] = [37, 70, 21];
  const rng = new Rng(5);
  const a = rng.normals(m * k);
  const b = rng.normals(k * n);
  const c0 = rng.normals(m * n);
  const ref = matmul64(a, b, m, k, n, false, false);
  const expected = ref.out.map((v, i) => v + c0[i]);
  const bound = ref.absScale.map((s, i) => (k + 3) * F32_EPS * (s + Math.abs(c0[i])));
  for (const be of backends) {
    const ta = be.fromArray([m, k], a);
    const tb = be.fromArray([k, n], b);
    const tc = be.fromArray([m, n], c0);
    be.matmul(tc, ta, tb, { accumulate: true });
    expectClose(`${be.name} accumulated c`, tc.f32(), expected, { bound });
    be.matmul(tc, ta, tb, { accumulate: false });
    expectClose(`${be.name} overwritten c`, tc.f32(), ref.out, { bound: boundFor(ref.absScale, k) });
  }
});

test('k = 0 gives zeros (overwrite) and leaves c alone (accumulate)', () => {
  for (const be of backends) {
    const ta = be.tensor([3, 0]);
    const tb = be.tensor([0, 5]);
    const tc = be.fromArray([3, 5], new Float32Array(15).fill(2));
    be.matmul(tc, ta, tb, { accumulate: true });
    expect(Array.from(tc.f32())).toEqual(new Array(15).fill(2));
    be.matmul(tc, ta, tb);
    expect(Array.from(tc.f32())).toEqual(new Array(15).fill(0));
  }
});

// The backward pair of Y = X @ W: dX = dY @ Wᵀ (transB) and dW = Xᵀ @ dY (transA), checked
// against central finite differences of the float64 forward L = Σ dY ⊙ (X @ W).
describe('matmul backward against finite differences', () => {
  for (const [m, k, n] of [[3, 5, 7], [7, 1, 3], [9, 13, 65]] as [number, number, number][]) {
    test(`(${m},${k},${n})`, () => {
      const rng = new Rng(m + k + n);
      const x = rng.normals(m * k);
      const w = rng.normals(k * n);
      const dy = rng.normals(m * n);
      const loss = (xv: ArrayLike<number>, wv: ArrayLike<number>) => dot64(dy, matmul64(xv, wv, m, k, n, false, false).out);
      const dxRef = finiteDiff((xv) => loss(xv, w), x);
      const dwRef = finiteDiff((wv) => loss(x, wv), w);
      for (const be of backends) {
        const tx = be.fromArray([m, k], x);
        const tw = be.fromArray([k, n], w);
        const tdy = be.fromArray([m, n], dy);
        const dx = be.tensor([m, k]);
        const dw = be.tensor([k, n]);
        be.matmul(dx, tdy, tw, { transB: true });
        be.matmul(dw, tx, tdy, { transA: true });
        expectClose(`${be.name} dX`, dx.f32(), dxRef, { atol: 1e-5, rtol: 1e-5 });
        expectClose(`${be.name} dW`, dw.f32(), dwRef, { atol: 1e-5, rtol: 1e-5 });
      }
    });
  }
});

describe('batched matmul: c (batch,m,n) from a (batch,…) and b (batch,…), or one of them 2-D and shared', () => {
  const [batch, m, k, n] = [4, 5, 7, 3];
  for (const { transA, transB } of FORMS) {
    for (const shared of ['none', 'a', 'b'] as const) {
      test(`transA=${transA} transB=${transB} shared=${shared}`, () => {
        const rng = new Rng(31 + (transA ? 1 : 0) + (transB ? 2 : 0) + shared.length);
        const a = rng.normals((shared === 'a' ? 1 : batch) * m * k);
        const b = rng.normals((shared === 'b' ? 1 : batch) * k * n);
        const aShape = transA ? [k, m] : [m, k];
        const bShape = transB ? [n, k] : [k, n];
        const expected: number[] = [];
        const bound: number[] = [];
        for (let i = 0; i < batch; i++) {
          const ai = shared === 'a' ? a : a.subarray(i * m * k, (i + 1) * m * k);
          const bi = shared === 'b' ? b : b.subarray(i * k * n, (i + 1) * k * n);
          const ref = matmul64(ai, bi, m, k, n, transA, transB);
          expected.push(...ref.out);
          bound.push(...boundFor(ref.absScale, k));
        }
        for (const be of backends) {
          const ta = be.fromArray(shared === 'a' ? aShape : [batch, ...aShape], a);
          const tb = be.fromArray(shared === 'b' ? bShape : [batch, ...bShape], b);
          const tc = be.fromArray([batch, m, n], new Float32Array(batch * m * n).fill(7)); // overwritten
          be.matmul(tc, ta, tb, { transA, transB });
          expectClose(`${be.name} c`, tc.f32(), expected, { bound });
          be.matmul(tc, ta, tb, { transA, transB, accumulate: true });
          expectClose(`${be.name} c accumulated`, tc.f32(), expected.map((v) => 2 * v), { bound: bound.map((x) => 3 * x) });
          for (const t of [ta, tb, tc]) t.dispose();
        }
      });
    }
  }
});

test('batched matmul refuses mismatched batches and a batch from nowhere', () => {
  for (const be of backends) {
    expect(() => be.matmul(be.tensor([3, 2, 2]), be.tensor([2, 2, 4]), be.tensor([4, 2]))).toThrow(/a has a batch of 2 but c of 3.*Fix: give a, b and c the same batch size/);
    expect(() => be.matmul(be.tensor([3, 2, 2]), be.tensor([2, 4]), be.tensor([4, 2]))).toThrow(/c is 3-D but neither a nor b has a batch dimension/);
    expect(() => be.matmul(be.tensor([3, 2, 5]), be.tensor([3, 2, 4]), be.tensor([4, 2]))).toThrow(/c is \(3,2,5\) but must be \(3,2,2\)/);
  }
});
