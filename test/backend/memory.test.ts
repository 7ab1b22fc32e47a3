import type { Backend } from '../../ts/backend/backend.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { matmul64 } from '../helpers/reference.js';

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

test('memory growth in the middle of a sequence of calls keeps every tensor and kernel correct', () => {
  const [m, k, n] = [64, 65, 33];
  const rng = new Rng(1);
  const a = rng.normals(m * k);
  const b = rng.normals(k * n);
  const ref = matmul64(a, b, m, k, n, false, false);
  const bound = ref.absScale.map((s) => (k + 2) * 2 ** -24 * s);
  for (const be of backends) {
    const ta = be.fromArray([m, k], a);
    const tb = be.fromArray([k, n], b);
    const tc = be.tensor([m, n]);
    be.matmul(tc, ta, tb);
    const viewBefore = tc.f32();
    const bufferBefore = be.memoryBuffer();
    // Far more than the memory holds: forces growth.
    const big = be.tensor([bufferBefore.byteLength / 4 + 1000]);
    expect(be.memoryBuffer()).not.toBe(bufferBefore);
    if (be.name !== 'js') expect(viewBefore.length).toBe(0); // wasm: growth detached the old view
    // The tensor re-derives its view: values survived, and the kernels still see the right memory.
    expectClose(`${be.name} c after growth`, tc.f32(), ref.out, { bound });
    const tc2 = be.tensor([m, n]);
    be.matmul(tc2, ta, tb);
    expectClose(`${be.name} c computed after growth`, tc2.f32(), ref.out, { bound });
    big.f32()[big.size - 1] = 1; // the new block is usable to its last element
    for (const t of [ta, tb, tc, tc2, big]) t.dispose();
  }
});

test('freed blocks are reused: a repeated allocate/free cycle does not grow memory', () => {
  for (const be of backends) {
    const cycle = () => {
      const ts = [be.tensor([1000]), be.tensor([33, 65]), be.tensor([7], 'i32')];
      ts.forEach((t) => t.dispose());
    };
    cycle();
    const inUse = be.bytesInUse;
    const size = be.memoryBuffer().byteLength;
    for (let i = 0; i < 100; i++) cycle();
    expect(be.bytesInUse).toBe(inUse);
    expect(be.memoryBuffer().byteLength).toBe(size);
  }
});

test('new tensors are zeroed even when they reuse freed memory', () => {
  for (const be of backends) {
    const t = be.fromArray([100], new Float32Array(100).fill(3));
    t.dispose();
    expect(be.tensor([100]).toArray()).toEqual(new Array(100).fill(0));
  }
});

test('tensors do not overlap and are 16-byte aligned', () => {
  for (const be of backends) {
    const ts = [3, 1, 65, 4, 129].map((n) => be.tensor([n]));
    for (const t of ts) expect(t.offset % 16).toBe(0);
    const sorted = [...ts].sort((x, y) => x.offset - y.offset);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].offset).toBeGreaterThanOrEqual(sorted[i - 1].offset + sorted[i - 1].byteLength);
  }
});
