import type { Backend } from '../../ts/backend/backend.js';
import { allBackends } from '../helpers/backends.js';

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

test('a view shares memory with its tensor: no copy, writes show through both', () => {
  for (const be of backends) {
    const t = be.fromArray([2, 3, 4], Float32Array.from({ length: 24 }, (_, i) => i));
    const v = t.view([6, 4]);
    expect(v.shape).toEqual([6, 4]);
    expect(v.offset).toBe(t.offset);
    const inUse = be.bytesInUse;
    const w = t.view([2, -1]);
    expect(w.shape).toEqual([2, 12]);
    expect(be.bytesInUse).toBe(inUse); // a view allocates nothing
    v.f32()[5] = -1;
    expect(t.f32()[5]).toBe(-1);
    expect(w.view([24]).toArray()).toEqual(t.toArray());
  }
});

test('disposing a view leaves its tensor; disposing the tensor ends its views', () => {
  for (const be of backends) {
    const t = be.fromArray([4], [1, 2, 3, 4]);
    const v = t.view([2, 2]);
    v.dispose();
    expect(v.isDisposed).toBe(true);
    expect(t.toArray()).toEqual([1, 2, 3, 4]);
    const u = t.view([2, 2]);
    const inUse = be.bytesInUse;
    t.dispose();
    expect(be.bytesInUse).toBe(inUse - 16);
    expect(u.isDisposed).toBe(true);
    expect(() => u.toArray()).toThrow(/was disposed/);
    expect(() => be.zero(u)).toThrow(/u was disposed|t was disposed/);
  }
});

test('a view of another size, or with a bad dimension, is refused with the shapes', () => {
  const be = backends[0];
  const t = be.tensor([2, 6]);
  expect(() => t.view([5, 2])).toThrow(/view: a tensor \(2,6\) of 12 values cannot be viewed as \(5,2\). Fix: pass non-negative dimensions \(at most one -1\)/);
  expect(() => t.view([-1, 5])).toThrow(/cannot be viewed as \(-1,5\)/);
  expect(() => t.view([-1, -1])).toThrow(/cannot be viewed as \(-1,-1\)/);
  expect(() => t.view([2.5, 4])).toThrow(/cannot be viewed/);
  expect(() => be.tensor([0, 3]).view([-1, 0])).toThrow(/cannot be viewed/); // -1 is ambiguous at size 0
  expect(be.tensor([0, 3]).view([3, 0]).shape).toEqual([3, 0]);
});
