import { WasmBackend, type MathApproximation } from '../../ts/backend/wasm/index.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { erf64 } from '../helpers/reference.js';

// The crate's own exp / erf / ln (crate/src/math.rs), measured against float64 on a dense grid
// plus random points. The bounds asserted are the ones stated in math.rs's comments.

let wasm: WasmBackend[];
beforeAll(async () => {
  wasm = (await allBackends()).filter((b): b is WasmBackend => b instanceof WasmBackend);
});

function run(be: WasmBackend, fn: MathApproximation, x: Float32Array): Float32Array {
  const inp = be.fromArray([x.length], x);
  const out = be.tensor([x.length]);
  be.approximate(fn, out, inp);
  const result = Float32Array.from(out.f32());
  inp.dispose();
  out.dispose();
  return result;
}

function grid(lo: number, hi: number, n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, (_, i) => (i % 2 ? lo + ((hi - lo) * i) / n : lo + (hi - lo) * rng.uniform()));
}

function maxError(x: Float32Array, y: Float32Array, ref: (v: number) => number, relative: boolean): { err: number; at: number } {
  let err = 0;
  let at = NaN;
  x.forEach((v, i) => {
    const r = ref(v);
    const e = relative ? Math.abs(y[i] - r) / Math.abs(r) : Math.abs(y[i] - r);
    if (e > err) {
      err = e;
      at = v;
    }
  });
  return { err, at };
}

test('exp: relative error ≤ 1e-7 on [-87.33, 88.37]; 0 below', () => {
  for (const be of wasm) {
    const x = grid(-87.33, 88.37, 200001, 1);
    const { err, at } = maxError(x, run(be, 'exp', x), Math.exp, true);
    if (err > 1e-7) throw new Error(`${be.name}: exp relative error ${err} at x = ${at}`);
    expect(err).toBeLessThanOrEqual(1e-7);
    expect(Array.from(run(be, 'exp', new Float32Array([-88, -1000, 0])))).toEqual([0, 0, 1]);
  }
});

test('erf: absolute error ≤ 5e-7 on [-10, 10]', () => {
  for (const be of wasm) {
    const x = grid(-10, 10, 200001, 2);
    const { err } = maxError(x, run(be, 'erf', x), erf64, false);
    expect(err).toBeLessThanOrEqual(5e-7);
  }
});

test('ln: relative error ≤ 2.5e-7 for x ≥ 1.1 and x ≤ 0.9, absolute ≤ 3e-8 on [0.9, 1.1]', () => {
  for (const be of wasm) {
    const wide = Float32Array.from(grid(-80, 80, 100001, 3), (e) => Math.exp(e)); // 1.8e-35 .. 5.5e34
    const farFromOne = wide.filter((v) => v >= 1.1 || v <= 0.9);
    expect(maxError(farFromOne, run(be, 'ln', farFromOne), Math.log, true).err).toBeLessThanOrEqual(2.5e-7);
    const near = grid(0.9, 1.1, 100001, 4);
    expect(maxError(near, run(be, 'ln', near), Math.log, false).err).toBeLessThanOrEqual(3e-8);
  }
});

test('wasm-simd and wasm-scalar compute exp, erf and ln bit-identically', () => {
  const x = grid(-20, 20, 10001, 5);
  const positive = Float32Array.from(x, (v) => Math.exp(v));
  const [a, b] = wasm;
  for (const fn of ['exp', 'erf'] as const) expect(run(a, fn, x)).toEqual(run(b, fn, x));
  expect(run(a, 'ln', positive)).toEqual(run(b, 'ln', positive));
});
