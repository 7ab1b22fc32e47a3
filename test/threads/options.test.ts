import { createBackend } from '../../ts/backend/index.js';
import type { PoolWorker } from '../../ts/backend/wasm/pool.js';
import { nodeWasmSources } from '../../ts/node/backends.js';

const quiet = { onFallback: () => {} };

test('threads outside 1..64, or on a backend that runs on one thread, are refused with the fix', async () => {
  for (const threads of [0, -2, 1.5, 65, NaN]) {
    await expect(createBackend('wasm-simd', nodeWasmSources, { threads, ...quiet })).rejects.toThrow(`threads is ${threads}, but must be an integer from 1 to 64`);
  }
  await expect(createBackend('js', nodeWasmSources, { threads: 2 })).rejects.toThrow(/only wasm-simd runs on several threads \(js runs on one\). Fix:/);
  await expect(createBackend('wasm-scalar', nodeWasmSources, { threads: 2 })).rejects.toThrow(/only wasm-simd runs on several threads/);
});

test('by default wasm-simd runs on every core the platform reports, at most 8; the other backends on one', async () => {
  const withCores = (cores: number | undefined) => ({ ...nodeWasmSources, threads: { ...nodeWasmSources.threads!, cores } });
  for (const [cores, expected] of [[3, 3], [20, 8], [1, 1], [undefined, 1]] as const) {
    const be = await createBackend('wasm-simd', withCores(cores), quiet);
    expect({ cores, threads: be.threadCount }).toEqual({ cores, threads: expected });
    be.dispose();
  }
  for (const name of ['wasm-scalar', 'js'] as const) expect((await createBackend(name, withCores(4))).threadCount).toBe(1);
  // A page that is not cross-origin isolated: one line says why it runs on one thread.
  const messages: string[] = [];
  (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated = false;
  try {
    expect((await createBackend('wasm-simd', withCores(4), { onFallback: (m) => messages.push(m) })).threadCount).toBe(1);
  } finally {
    delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  }
  expect(messages).toEqual(['wasmgrad: the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp); running on 1 thread.']);
});

test('a worker that fails to start: one line says why, and the backend runs on one thread', async () => {
  const broken: PoolWorker = {
    postMessage: () => {},
    onReport: (callback) => setTimeout(() => callback({ error: 'no workers here' }), 0),
    terminate: () => {},
  };
  const messages: string[] = [];
  const sources = { ...nodeWasmSources, threads: { bytes: nodeWasmSources.threads!.bytes, spawn: () => broken } };
  const be = await createBackend('wasm-simd', sources, { threads: 2, onFallback: (m) => messages.push(m) });
  expect(messages).toEqual(['wasmgrad: a kernel worker failed to start (no workers here); running on 1 thread.']);
  expect(be.threadCount).toBe(1);
  const x = be.fromArray([2], [1, 2]);
  be.axpy(x, be.fromArray([2], [3, 4]), 2);
  expect(Array.from(x.data())).toEqual([7, 10]);
});

test('without a threads build (or without SharedArrayBuffer) the backend says so and runs on one thread', async () => {
  const messages: string[] = [];
  const be = await createBackend('wasm-simd', { simd: nodeWasmSources.simd, scalar: nodeWasmSources.scalar }, { threads: 4, onFallback: (m) => messages.push(m) });
  expect(be.threadCount).toBe(1);
  expect(messages).toEqual(['wasmgrad: this build of wasmgrad has no threads build of the kernels; running on 1 thread.']);
});

test('dispose ends the workers; the backend keeps its tensors and computes on this thread', async () => {
  const be = await createBackend('wasm-simd', nodeWasmSources, { threads: 2 });
  expect(be.threadCount).toBe(2);
  const x = be.fromArray([4], [1, 2, 3, 4]);
  be.dispose();
  expect(be.threadCount).toBe(1);
  be.axpy(x, be.fromArray([4], [1, 1, 1, 1]), 1);
  expect(Array.from(x.data())).toEqual([2, 3, 4, 5]);
});

test('memory growth from the calling thread is seen by the workers: a product in memory allocated after they started', async () => {
  const one = await createBackend('wasm-simd', nodeWasmSources, { threads: 1 });
  const two = await createBackend('wasm-simd', nodeWasmSources, { threads: 2 });
  const before = two.memoryBuffer().byteLength;
  const results = [one, two].map((be) => {
    const [m, k, n] = [1200, 600, 1000]; // about 10 MB: past the memory the backend started with
    const a = be.fromArray([m, k], Float32Array.from({ length: m * k }, (_, i) => Math.sin(i)));
    const b = be.fromArray([k, n], Float32Array.from({ length: k * n }, (_, i) => Math.cos(i)));
    const c = be.tensor([m, n]);
    be.matmul(c, a, b);
    return Array.from(c.data());
  });
  expect(two.memoryBuffer().byteLength).toBeGreaterThan(before);
  expect(results[1]).toEqual(results[0]);
  two.dispose();
});
