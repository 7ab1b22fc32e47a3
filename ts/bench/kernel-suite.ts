import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { WasmBackend } from '../backend/wasm/index.js';
import { Rng } from '../util/rng.js';
import { measure, measureInterleaved, type MeasureOptions } from './measure.js';
import type { BenchRecord } from './record.js';

/**
 * The matmul shapes of an MLP training step (batch 1024, hidden 128, vocabulary 65) in the form
 * the step uses each one, plus 512³ in every form as the classic square comparison.
 */
export const MATMUL_CASES: { name: 'matmul_nn' | 'matmul_nt' | 'matmul_tn'; shape: [number, number, number] }[] = [
  { name: 'matmul_nn', shape: [1024, 65, 128] }, //  X @ W1 (dense input)
  { name: 'matmul_nt', shape: [1024, 65, 128] }, //  dH = dlogits @ W2ᵀ
  { name: 'matmul_nn', shape: [1024, 128, 65] }, //  logits = H @ W2
  { name: 'matmul_tn', shape: [65, 1024, 128] }, //  dW1 = Xᵀ @ dH
  { name: 'matmul_tn', shape: [128, 1024, 65] }, //  dW2 = Hᵀ @ dlogits
  { name: 'matmul_nn', shape: [512, 512, 512] },
  { name: 'matmul_nt', shape: [512, 512, 512] },
  { name: 'matmul_tn', shape: [512, 512, 512] },
];
export const GELU_SHAPE: [number, number] = [1024, 128];
export const XENT_SHAPE: [number, number] = [1024, 65];

/**
 * Runs the kernel suite on one backend, or on several side by side (wasm-simd at several thread
 * counts), each case's samples interleaved; `onRecord` sees each result as it is measured.
 */
export function runKernelSuite(backends: Backend | Backend[], onRecord: (r: BenchRecord) => void, options: MeasureOptions = {}): BenchRecord[] {
  const bes = Array.isArray(backends) ? backends : [backends];
  const records: BenchRecord[] = [];
  const tensors: Tensor[] = [];
  /** Measures one case on every backend: `setup` makes its tensors and returns the call to time. */
  const bench = (name: string, shape: number[], setup: (be: Backend, make: Make) => () => void, rate: (ms: number) => Pick<BenchRecord, 'gflops' | 'nsPerElement'>) => {
    const calls = bes.map((be) => {
      const rng = new Rng(1234);
      return setup(be, (shape, fill) => {
        const size = shape.reduce((a, b) => a * b, 1);
        const t =
          fill === undefined ? be.tensor(shape)
          : typeof fill === 'number' ? be.fromArray(shape, rng.normals(size, fill))
          : be.fromArray(shape, Int32Array.from({ length: size }, () => rng.int(fill.below)), 'i32');
        tensors.push(t);
        return t;
      });
    });
    const medians = measureInterleaved(calls, options);
    bes.forEach((be, i) => {
      const record: BenchRecord = { suite: 'kernel', backend: be.name, threads: be.threadCount, name, shape, medianMs: medians[i], ...rate(medians[i]) };
      records.push(record);
      onRecord(record);
    });
  };
  const perElement = (elements: number) => (ms: number) => ({ gflops: null, nsPerElement: (ms * 1e6) / elements });

  // The ceiling the matmul is compared with, measured in the same run on the same core.
  const wasm = bes.filter((be): be is WasmBackend => be instanceof WasmBackend && be.threadCount === 1);
  if (wasm.length > 0) {
    const iters = 200_000;
    let flops = 0;
    const ms = measure(() => {
      flops = wasm[0].peakFlops(iters).flops;
    }, options);
    const record: BenchRecord = { suite: 'kernel', name: 'peak', backend: wasm[0].name, threads: 1, shape: [], medianMs: ms, gflops: flops / ms / 1e6, nsPerElement: null };
    records.push(record);
    onRecord(record);
  }

  for (const { name, shape } of MATMUL_CASES) {
    const [m, k, n] = shape;
    const transA = name === 'matmul_tn';
    const transB = name === 'matmul_nt';
    bench(name, shape, (be, make) => {
      const a = make(transA ? [k, m] : [m, k], 1);
      const b = make(transB ? [n, k] : [k, n], 1);
      const c = make([m, n]);
      return () => be.matmul(c, a, b, { transA, transB });
    }, (ms) => ({ gflops: (2 * m * k * n) / ms / 1e6, nsPerElement: null }));
  }

  const [rows, hidden] = GELU_SHAPE;
  bench('gelu_fwd', GELU_SHAPE, (be, make) => {
    const [x, y] = [make(GELU_SHAPE, 1), make(GELU_SHAPE)];
    return () => be.geluForward(y, x);
  }, perElement(rows * hidden));
  bench('gelu_bwd', GELU_SHAPE, (be, make) => {
    const [x, y, dy, dx] = [make(GELU_SHAPE, 1), make(GELU_SHAPE), make(GELU_SHAPE, 1), make(GELU_SHAPE)];
    be.geluForward(y, x);
    return () => be.geluBackward(dx, x, y, dy);
  }, perElement(rows * hidden));

  const [batch, vocab] = XENT_SHAPE;
  const xent = (make: Make) => ({ logits: make(XENT_SHAPE, 2), probs: make(XENT_SHAPE), targets: make([batch], { below: vocab }) });
  bench('xent_fwd', XENT_SHAPE, (be, make) => {
    const { logits, probs, targets } = xent(make);
    return () => be.softmaxXentForward(probs, logits, targets);
  }, perElement(batch * vocab));
  bench('xent_bwd', XENT_SHAPE, (be, make) => {
    const { logits, probs, targets } = xent(make);
    const dlogits = make(XENT_SHAPE);
    const dlosses = make([batch]);
    be.write(dlosses, new Float32Array(batch).fill(1 / batch));
    be.softmaxXentForward(probs, logits, targets);
    return () => be.softmaxXentBackward(dlogits, dlosses, probs, targets);
  }, perElement(batch * vocab));

  tensors.forEach((t) => t.dispose());
  return records;
}

/** A tensor on the case's backend: zeros, normals of standard deviation `fill`, or integer classes below `fill.below`. */
type Make = (shape: number[], fill?: number | { below: number }) => Tensor;
