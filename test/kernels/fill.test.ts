import type { Backend } from '../../ts/backend/backend.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

// zero and copy move 4-byte elements: f32 bits (NaN payloads, -0) and i32 values come through as they are.
test.each([1, 7, 64, 65, 5000])('n = %i: zero writes zeros, copy the source bits, of f32 and i32 tensors, and nothing around them', (n) => {
  const rng = new Rng(n);
  const bits = Int32Array.from({ length: n }, () => rng.int(2 ** 31) - 2 ** 30);
  for (const be of backends) {
    for (const dtype of ['f32', 'i32'] as const) {
      const src = be.tensor([n], dtype);
      new Int32Array(src.data().buffer, src.offset, n).set(bits);
      const guard = be.tensor([n + 2], dtype); // dst is its middle: the ends must stay as they are
      guard.data().fill(7);
      const dst = guard.narrow(1, n);
      be.copy(dst, src);
      expect(Array.from(new Int32Array(dst.data().buffer, dst.offset, n))).toEqual(Array.from(bits));
      be.zero(dst);
      expect(Array.from(dst.data()).every((x) => Object.is(x, 0))).toBe(true);
      expect([guard.data()[0], guard.data()[n + 1]]).toEqual([7, 7]);
    }
  }
});

test('copy refuses a source that overlaps the destination', () => {
  for (const be of backends) {
    const t = be.tensor([8]);
    expect(() => be.copy(t.narrow(0, 4), t.narrow(2, 4))).toThrow(/copy: dst overlaps src/);
  }
});
