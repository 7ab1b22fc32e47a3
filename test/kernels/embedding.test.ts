import type { Backend } from '../../ts/backend/backend.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { dot64, finiteDiff, matmul64 } from '../helpers/reference.js';

/** The one-hot matrix (n, rows) the embedding kernels avoid building. */
function oneHot(idx: Int32Array, rows: number): Float64Array {
  const out = new Float64Array(idx.length * rows);
  idx.forEach((r, i) => (out[i * rows + r] = 1));
  return out;
}

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

describe('embedding = one_hot(idx) @ W', () => {
  for (const [n, rows, c] of [[1, 1, 1], [3, 5, 7], [7, 1, 3], [1024, 65, 128], [1024, 65, 65], [20, 65, 129]]) {
    test(`forward (${n} indices, W (${rows},${c}))`, () => {
      const rng = new Rng(n + rows + c);
      const w = rng.normals(rows * c);
      const idx = Int32Array.from({ length: n }, () => rng.int(rows));
      // A gather copies: the result equals the float64 product exactly.
      const expected = matmul64(oneHot(idx, rows), w, n, rows, c, false, false).out;
      for (const be of backends) {
        const out = be.fromArray([n, c], new Float32Array(n * c).fill(5));
        be.embeddingForward(out, be.fromArray([n], idx, 'i32'), be.fromArray([rows, c], w));
        expectClose(`${be.name} out`, out.f32(), expected, {});
      }
    });

    test(`backward against finite differences (${n} indices, W (${rows},${c}))`, () => {
      const rng = new Rng(7 * n + rows + c);
      const w = rng.normals(rows * c);
      const idx = Int32Array.from({ length: n }, () => rng.int(rows));
      const dout = rng.normals(n * c);
      const initial = rng.normals(rows * c);
      const hot = oneHot(idx, rows);
      // L = Σ dout ⊙ (one_hot @ W) is linear in W; its finite difference is exact up to rounding.
      const grad = n * rows * c <= 5000
        ? finiteDiff((wv) => dot64(dout, matmul64(hot, wv, n, rows, c, false, false).out), w)
        : matmul64(hot, dout, rows, n, c, true, false).out; // Xᵀ @ dout, the same numbers, faster
      const expected = grad.map((g, i) => g + initial[i]);
      // Scatter-add in f32: each row sums its repeats, at most n roundings of |dout| ≤ ~5.
      for (const be of backends) {
        const dw = be.fromArray([rows, c], initial);
        be.embeddingBackward(dw, be.fromArray([n], idx, 'i32'), be.fromArray([n, c], dout));
        expectClose(`${be.name} dW (accumulated)`, dw.f32(), expected, { atol: n * 5 * 2 ** -24 + 1e-5 });
      }
    });
  }
});

test('indices of any shape: (B,T) indices give (B,T,c), the same rows as their flattening', () => {
  const [batch, time, rows, c] = [3, 4, 6, 5];
  const rng = new Rng(77);
  const w = rng.normals(rows * c);
  const idx = Int32Array.from({ length: batch * time }, () => rng.int(rows));
  const dout = rng.normals(batch * time * c);
  for (const be of backends) {
    const weight = be.fromArray([rows, c], w);
    const out3 = be.tensor([batch, time, c]);
    be.embeddingForward(out3, be.fromArray([batch, time], idx, 'i32'), weight);
    const out2 = be.tensor([batch * time, c]);
    be.embeddingForward(out2, be.fromArray([batch * time], idx, 'i32'), weight);
    expect(out3.toArray()).toEqual(out2.toArray());
    const dw3 = be.tensor([rows, c]);
    const dw2 = be.tensor([rows, c]);
    be.embeddingBackward(dw3, be.fromArray([batch, time], idx, 'i32'), be.fromArray([batch, time, c], dout));
    be.embeddingBackward(dw2, be.fromArray([batch * time], idx, 'i32'), be.fromArray([batch * time, c], dout));
    expect(dw3.toArray()).toEqual(dw2.toArray());
    expect(() => be.embeddingForward(be.tensor([batch, time * c]), be.fromArray([batch, time], idx, 'i32'), weight)).toThrow(/out has rank 2 but must have rank 3/);
  }
});
