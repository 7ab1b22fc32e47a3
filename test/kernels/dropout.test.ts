import type { Backend } from '../../ts/backend/backend.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

const n = 50_000;
const x = Float32Array.from({ length: n }, (_, i) => 1 + (i % 5));

test('every backend drops the same elements for a seed, keeps 1 - p of them, and scales them by 1/(1 - p)', () => {
  const masks = backends.map((be) => {
    const out = be.tensor([n]);
    be.dropoutForward(out, be.fromArray([n], x), 0.3, 777);
    const o = out.f32();
    const kept = Array.from(o, (v) => v !== 0);
    expectClose(`${be.name} kept values`, Array.from(o).filter((v) => v !== 0), x.filter((_, i) => kept[i]).map((v) => v / 0.7), { rtol: 1e-6 });
    expect(Math.abs(kept.filter(Boolean).length / n - 0.7)).toBeLessThan(0.01);
    return kept;
  });
  expect(masks[1]).toEqual(masks[0]);
  expect(masks[2]).toEqual(masks[0]);
});

test('the backward recomputes the forward mask from the seed; another seed draws another mask; p = 0 keeps all', () => {
  for (const be of backends) {
    const out = be.tensor([n]);
    be.dropoutForward(out, be.fromArray([n], x), 0.5, 9);
    const dout = new Rng(1).normals(n);
    const dx = be.fromArray([n], new Float32Array(n).fill(1));
    be.dropoutBackward(dx, be.fromArray([n], dout), 0.5, 9);
    const o = out.f32();
    // The forward is linear in x: its gradient is the mask times 1/(1 - p).
    expectClose(`${be.name} dinp`, dx.f32(), Array.from(o, (v, i) => 1 + (v !== 0 ? dout[i] * 2 : 0)), { rtol: 1e-6 });
    const other = be.tensor([n]);
    be.dropoutForward(other, be.fromArray([n], x), 0.5, 10);
    expect(Array.from(other.f32()).filter((v, i) => (v !== 0) !== (o[i] !== 0)).length).toBeGreaterThan(n / 10);
    be.dropoutForward(other, be.fromArray([n], x), 0, 10);
    expect(Array.from(other.f32())).toEqual(Array.from(x));
  }
});

test('bad p and seeds are named with the fix', () => {
  const be = backends[0];
  expect(() => be.dropoutForward(be.tensor([4]), be.tensor([4]), 1, 0)).toThrow(/dropoutForward: p is 1 but must be in \[0, 1\)/);
  expect(() => be.dropoutForward(be.tensor([4]), be.tensor([4]), 0.1, -1)).toThrow(/seed is -1 but must be an integer in \[0, 2\^32\)/);
});
