import type { Backend } from '../../ts/backend/backend.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { finiteDiff } from '../helpers/reference.js';

// Causal self-attention against float64 (softmax over the causal prefix of q·kᵀ/√hs, times v) and
// its backward against central finite differences of L = Σ dout·out, on every backend.

/** `keep(index)` is dropout's factor for the weight at that element of att (B, heads, T, T): 0, 1/(1-p), or 1 without dropout. */
function attention64(qkv: ArrayLike<number>, batch: number, t: number, c: number, heads: number, keep: (index: number) => number = () => 1): Float64Array {
  const hs = c / heads;
  const at = (b: number, i: number, part: number, h: number, d: number) => qkv[(b * t + i) * 3 * c + part * c + h * hs + d];
  const out = new Float64Array(batch * t * c);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < t; i++) {
        const pre = Array.from({ length: i + 1 }, (_, j) => {
          let s = 0;
          for (let d = 0; d < hs; d++) s += at(b, i, 0, h, d) * at(b, j, 1, h, d);
          return s / Math.sqrt(hs);
        });
        const m = Math.max(...pre);
        const e = pre.map((p) => Math.exp(p - m));
        const sum = e.reduce((a, x) => a + x, 0);
        const row = ((b * heads + h) * t + i) * t;
        for (let d = 0; d < hs; d++) out[(b * t + i) * c + h * hs + d] = e.reduce((a, w, j) => a + (w / sum) * keep(row + j) * at(b, j, 2, h, d), 0);
      }
    }
  }
  return out;
}

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

describe('attention', () => {
  for (const [batch, t, c, heads] of [[1, 1, 4, 1], [2, 5, 6, 2], [1, 9, 8, 4], [2, 7, 12, 3]]) {
    test(`B=${batch} T=${t} C=${c} heads=${heads}: forward, causal weights, and dqkv against finite differences`, () => {
      const rng = new Rng(batch * 100 + t * 10 + c);
      const qkv = rng.normals(batch * t * 3 * c);
      const dout = rng.normals(batch * t * c);
      const loss = (x: ArrayLike<number>) => attention64(x, batch, t, c, heads).reduce((a, o, i) => a + o * dout[i], 0);
      const expectedGrad = finiteDiff(loss, qkv, 1e-6).map((g) => g + 1);
      for (const be of backends) {
        const tq = be.fromArray([batch, t, 3 * c], qkv);
        const out = be.fromArray([batch, t, c], new Float32Array(batch * t * c).fill(7));
        const att = be.fromArray([batch, heads, t, t], new Float32Array(batch * heads * t * t).fill(7));
        be.attentionForward(out, att, tq, heads);
        expectClose(`${be.name} out`, out.f32(), attention64(qkv, batch, t, c, heads), { atol: 2e-6, rtol: 2e-6 });
        const a = att.f32();
        for (let row = 0; row < batch * heads * t; row++) {
          const i = row % t;
          expect(Array.from(a.subarray(row * t + i + 1, (row + 1) * t)).every((w) => w === 0)).toBe(true);
        }
        const dqkv = be.fromArray([batch, t, 3 * c], new Float32Array(batch * t * 3 * c).fill(1)); // accumulates
        be.attentionBackward(dqkv, be.fromArray([batch, t, c], dout), tq, att, heads);
        expectClose(`${be.name} dqkv`, dqkv.f32(), expectedGrad, { atol: 2e-5 });
      }
    });
  }
});

test('dropout on the weights: the mask dropoutForward draws over att, scaled by 1/(1-p); the backward through it; p = 0 is no dropout, to the bit', () => {
  const [batch, t, c, heads, p, seed] = [2, 6, 8, 2, 0.3, 77];
  const rng = new Rng(12);
  const qkv = rng.normals(batch * t * 3 * c);
  const dout = rng.normals(batch * t * c);
  for (const be of backends) {
    // The mask, as the dropout kernel draws it over a tensor the shape of att.
    const ones = be.fromArray([batch, heads, t, t], new Float32Array(batch * heads * t * t).fill(1));
    const mask = be.tensor(ones.shape);
    be.dropoutForward(mask, ones, p, seed);
    const keep = Array.from(mask.f32());
    expect(keep.filter((k) => k === 0).length).toBeGreaterThan(0);
    const loss = (x: ArrayLike<number>) => attention64(x, batch, t, c, heads, (i) => keep[i]).reduce((a, o, i) => a + o * dout[i], 0);
    const tq = be.fromArray([batch, t, 3 * c], qkv);
    const [out, att] = [be.tensor([batch, t, c]), be.tensor([batch, heads, t, t])];
    be.attentionForward(out, att, tq, heads, { p, seed });
    expectClose(`${be.name} out with dropout`, out.f32(), attention64(qkv, batch, t, c, heads, (i) => keep[i]), { atol: 2e-6, rtol: 2e-6 });
    expect(Array.from(out.f32())).not.toEqual(Array.from(attention64(qkv, batch, t, c, heads)).map(Math.fround));
    const dqkv = be.tensor([batch, t, 3 * c]);
    be.attentionBackward(dqkv, be.fromArray([batch, t, c], dout), tq, att, heads, { p, seed });
    expectClose(`${be.name} dqkv with dropout`, dqkv.f32(), finiteDiff(loss, qkv, 1e-6), { atol: 2e-5 });
    // p = 0 gives the bits of no dropout at all.
    const [plain, zero] = [be.tensor([batch, t, c]), be.tensor([batch, t, c])];
    be.attentionForward(plain, be.tensor(att.shape), tq, heads);
    be.attentionForward(zero, be.tensor(att.shape), tq, heads, { p: 0, seed });
    expect(Array.from(zero.f32())).toEqual(Array.from(plain.f32()));
  }
});

test('wasm-simd and wasm-scalar compute attention bit-identically', () => {
  const [simd, scalar] = backends.filter((be) => be.name !== 'js');
  const rng = new Rng(5);
  const [qkv, dout] = [rng.normals(2 * 16 * 3 * 32), rng.normals(2 * 16 * 32)];
  const run = (be: Backend) => {
    const [out, att, dqkv] = [be.tensor([2, 16, 32]), be.tensor([2, 4, 16, 16]), be.tensor([2, 16, 96])];
    const tq = be.fromArray([2, 16, 96], qkv);
    be.attentionForward(out, att, tq, 4, { p: 0.1, seed: 3 });
    be.attentionBackward(dqkv, be.fromArray([2, 16, 32], dout), tq, att, 4, { p: 0.1, seed: 3 });
    return [out, att, dqkv].map((x) => x.toArray());
  };
  expect(run(simd)).toEqual(run(scalar));
});

test('bad shapes are named with the fix', () => {
  const be = backends[0];
  expect(() => be.attentionForward(be.tensor([1, 4, 8]), be.tensor([1, 3, 4, 4]), be.tensor([1, 4, 24]), 3)).toThrow(/qkv's last dimension 24 is not 3·C with C divisible by 3 heads/);
  expect(() => be.attentionForward(be.tensor([1, 4, 8]), be.tensor([1, 2, 4, 5]), be.tensor([1, 4, 24]), 2)).toThrow(/att is \(1,2,4,5\) but must be \(1,2,4,4\)/);
  expect(() => be.attentionForward(be.tensor([1, 4, 7]), be.tensor([1, 2, 4, 4]), be.tensor([1, 4, 24]), 2)).toThrow(/out is \(1,4,7\) but must be \(1,4,8\)/);
});
