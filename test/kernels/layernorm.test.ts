import type { Backend } from '../../ts/backend/backend.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { finiteDiff } from '../helpers/reference.js';

// LayerNorm against a float64 re-computation and central finite differences of L = Σ dout·LN(x).
// f32 normalises O(1) values to a few ulps (2e-6 relative, 1e-6 absolute); the gradients of an
// O(rows·c) sum carry f32 errors of a few 1e-6 per term: 2e-5 leaves room, and nothing for a wrong term.
const EPS = 1e-5;

function ln64(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, rows: number, c: number): Float64Array {
  const out = new Float64Array(rows * c);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let j = 0; j < c; j++) m += x[r * c + j];
    m /= c;
    let v = 0;
    for (let j = 0; j < c; j++) v += (x[r * c + j] - m) ** 2;
    const s = 1 / Math.sqrt(v / c + EPS);
    for (let j = 0; j < c; j++) out[r * c + j] = (x[r * c + j] - m) * s * w[j] + (b ? b[j] : 0);
  }
  return out;
}

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

describe('layernorm over the last dimension', () => {
  for (const [shape, withBias] of [[[3, 1], true], [[2, 5], false], [[2, 3, 8], true], [[4, 65], true], [[2, 128], false]] as [number[], boolean][]) {
    test(`${JSON.stringify(shape)} bias=${withBias}: forward, mean, rstd and all gradients`, () => {
      const c = shape[shape.length - 1];
      const size = shape.reduce((a, b) => a * b, 1);
      const rows = size / c;
      const rng = new Rng(size + c);
      const x = rng.normals(size, 2);
      const w = Float32Array.from(rng.normals(c, 0.3), (v) => 1 + v);
      const b = withBias ? rng.normals(c, 0.5) : null;
      const dout = rng.normals(size);
      const loss = (xv: ArrayLike<number>, wv: ArrayLike<number>, bv: ArrayLike<number> | null) => ln64(xv, wv, bv, rows, c).reduce((a, o, i) => a + o * dout[i], 0);
      for (const be of backends) {
        const [out, mean, rstd] = [be.fromArray(shape, new Float32Array(size).fill(9)), be.tensor([rows]), be.tensor([rows])];
        const [tx, tw, tb] = [be.fromArray(shape, x), be.fromArray([c], w), b ? be.fromArray([c], b) : null];
        be.layernormForward(out, mean, rstd, tx, tw, tb);
        expectClose(`${be.name} out`, out.f32(), ln64(x, w, b, rows, c), { atol: 1e-6, rtol: 2e-6 });
        const [dx, dw, db] = [be.fromArray(shape, new Float32Array(size).fill(1)), be.fromArray([c], new Float32Array(c).fill(1)), b ? be.fromArray([c], new Float32Array(c).fill(1)) : null];
        be.layernormBackward(dx, dw, db, be.fromArray(shape, dout), tx, tw, mean, rstd);
        const plus1 = (g: Float64Array) => g.map((v) => v + 1);
        expectClose(`${be.name} dinp (accumulated)`, dx.f32(), plus1(finiteDiff((v) => loss(v, w, b), x, 1e-6)), { atol: 2e-5 });
        expectClose(`${be.name} dweight (accumulated)`, dw.f32(), plus1(finiteDiff((v) => loss(x, v, b), w, 1e-6)), { atol: 2e-5 });
        if (b) expectClose(`${be.name} dbias (accumulated)`, db!.f32(), plus1(finiteDiff((v) => loss(x, w, v), b, 1e-6)), { atol: 2e-5 });
      }
    });
  }
});

test('wasm-simd and wasm-scalar compute layernorm bit-identically', () => {
  const [simd, scalar] = backends.filter((be) => be.name !== 'js');
  const rng = new Rng(3);
  const [x, w, bias, dout] = [rng.normals(7 * 67, 3), rng.normals(67), rng.normals(67), rng.normals(7 * 67)];
  const run = (be: Backend) => {
    const [out, mean, rstd, dx, dw, db] = [be.tensor([7, 67]), be.tensor([7]), be.tensor([7]), be.tensor([7, 67]), be.tensor([67]), be.tensor([67])];
    const [tx, tw, tb] = [be.fromArray([7, 67], x), be.fromArray([67], w), be.fromArray([67], bias)];
    be.layernormForward(out, mean, rstd, tx, tw, tb);
    be.layernormBackward(dx, dw, db, be.fromArray([7, 67], dout), tx, tw, mean, rstd);
    return [out, mean, rstd, dx, dw, db].map((t) => t.toArray());
  };
  expect(run(simd)).toEqual(run(scalar));
});

test('bad arguments are named with the fix', () => {
  const be = backends[0];
  const [x, w] = [be.tensor([2, 4]), be.tensor([4])];
  expect(() => be.layernormForward(be.tensor([2, 4]), be.tensor([3]), be.tensor([2]), x, w, null)).toThrow(/layernormForward: mean is \(3\) but must be \(2\).*Fix: mean has one value per row of inp/);
  expect(() => be.layernormForward(be.tensor([2, 4]), be.tensor([2]), be.tensor([2]), x, be.tensor([5]), null)).toThrow(/weight is \(5\) but must be \(4\)/);
  expect(() => be.layernormForward(x, be.tensor([2]), be.tensor([2]), x, w, null)).toThrow(/out overlaps inp/);
  expect(() => be.layernormForward(be.tensor([2, 4]), be.tensor([2]), be.tensor([2]), x, w, null, 0)).toThrow(/eps is 0 but must be positive/);
});
