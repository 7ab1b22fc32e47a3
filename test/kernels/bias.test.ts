import type { Backend } from '../../ts/backend/backend.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { dot64, finiteDiff } from '../helpers/reference.js';

const SHAPES: [number, number][] = [[1, 1], [3, 5], [7, 1], [1, 9], [1024, 65], [65, 129], [1024, 128]];

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

describe('bias', () => {
  for (const [rows, cols] of SHAPES) {
    test(`forward (${rows},${cols}): one f32 addition per element`, () => {
      const rng = new Rng(rows * 7 + cols);
      const x = rng.normals(rows * cols);
      const b = rng.normals(cols);
      const expected = Float64Array.from(x, (v, i) => v + b[i % cols]);
      for (const be of backends) {
        const out = be.fromArray([rows, cols], x);
        be.biasForward(out, be.fromArray([cols], b));
        expectClose(`${be.name} out`, out.f32(), expected, { rtol: 2 ** -24, atol: 1e-45 });
      }
    });

    test(`backward (${rows},${cols}) against finite differences`, () => {
      const rng = new Rng(rows * 11 + cols);
      const dout = rng.normals(rows * cols);
      const initial = rng.normals(cols);
      const x = new Float64Array(rows * cols);
      // L(b) = Σ dout ⊙ (x + b): its gradient is the column sum of dout.
      const loss = (b: Float64Array) => dot64(dout, Array.from(x, (_, i) => b[i % cols]));
      const grad = rows * cols <= 5000 ? finiteDiff(loss, new Float64Array(cols)) : colSums(dout, rows, cols);
      const expected = grad.map((g, j) => g + initial[j]);
      for (const be of backends) {
        const db = be.fromArray([cols], initial);
        be.biasBackward(db, be.fromArray([rows, cols], dout));
        // A sum of `rows` f32 terms of size ~1: rows·2^-24·Σ|dout|.
        const bound = colSums(dout.map(Math.abs), rows, cols).map((s) => (rows + 1) * 2 ** -24 * (s + 1));
        expectClose(`${be.name} dbias (accumulated)`, db.f32(), expected, { atol: 1e-6, bound });
      }
    });
  }
});

function colSums(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out[j] += x[r * cols + j];
  return out;
}
