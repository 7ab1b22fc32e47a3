import type { Backend } from '../backend/backend.js';
import type { Tensor } from '../backend/tensor.js';
import { WasmBackend } from '../backend/wasm/index.js';
import { Rng } from '../util/rng.js';
import { measure, type MeasureOptions } from './measure.js';
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

/** Runs the kernel suite on one backend; `onRecord` sees each result as it is measured. */
export function runKernelSuite(be: Backend, onRecord: (r: BenchRecord) => void, options: MeasureOptions = {}): BenchRecord[] {
  const records: BenchRecord[] = [];
  const rng = new Rng(1234);
  const emit = (r: Omit<BenchRecord, 'suite' | 'backend'>) => {
    const record: BenchRecord = { suite: 'kernel', backend: be.name, ...r };
    records.push(record);
    onRecord(record);
  };
  const tensors: Tensor[] = [];
  const make = (shape: number[], data?: Float32Array) => {
    const t = data ? be.fromArray(shape, data) : be.tensor(shape);
    tensors.push(t);
    return t;
  };

  if (be instanceof WasmBackend) {
    // The ceiling the matmul is compared with, measured in the same run on the same core.
    const iters = 200_000;
    let flops = 0;
    const ms = measure(() => {
      flops = be.peakFlops(iters).flops;
    }, options);
    emit({ name: 'peak', shape: [], medianMs: ms, gflops: flops / ms / 1e6, nsPerElement: null });
  }

  for (const { name, shape } of MATMUL_CASES) {
    const [m, k, n] = shape;
    const transA = name === 'matmul_tn';
    const transB = name === 'matmul_nt';
    const a = make(transA ? [k, m] : [m, k], rng.normals(m * k));
    const b = make(transB ? [n, k] : [k, n], rng.normals(k * n));
    const c = make([m, n]);
    const ms = measure(() => be.matmul(c, a, b, { transA, transB }), options);
    emit({ name, shape, medianMs: ms, gflops: (2 * m * k * n) / ms / 1e6, nsPerElement: null });
  }

  const [rows, hidden] = GELU_SHAPE;
  const x = make(GELU_SHAPE, rng.normals(rows * hidden));
  const y = make(GELU_SHAPE);
  const dy = make(GELU_SHAPE, rng.normals(rows * hidden));
  const dx = make(GELU_SHAPE);
  const geluElements = rows * hidden;
  const geluFwd = measure(() => be.geluForward(y, x), options);
  emit({ name: 'gelu_fwd', shape: GELU_SHAPE, medianMs: geluFwd, gflops: null, nsPerElement: (geluFwd * 1e6) / geluElements });
  be.geluForward(y, x);
  const geluBwd = measure(() => be.geluBackward(dx, x, y, dy), options);
  emit({ name: 'gelu_bwd', shape: GELU_SHAPE, medianMs: geluBwd, gflops: null, nsPerElement: (geluBwd * 1e6) / geluElements });

  const [batch, vocab] = XENT_SHAPE;
  const logits = make(XENT_SHAPE, rng.normals(batch * vocab, 2));
  const probs = make(XENT_SHAPE);
  const dlogits = make(XENT_SHAPE);
  const targets = be.fromArray([batch], Int32Array.from({ length: batch }, () => rng.int(vocab)), 'i32');
  tensors.push(targets);
  const dlosses = make([batch], new Float32Array(batch).fill(1 / batch));
  const xentElements = batch * vocab;
  const xentFwd = measure(() => be.softmaxXentForward(probs, logits, targets), options);
  emit({ name: 'xent_fwd', shape: XENT_SHAPE, medianMs: xentFwd, gflops: null, nsPerElement: (xentFwd * 1e6) / xentElements });
  const xentBwd = measure(() => be.softmaxXentBackward(dlogits, dlosses, probs, targets), options);
  emit({ name: 'xent_bwd', shape: XENT_SHAPE, medianMs: xentBwd, gflops: null, nsPerElement: (xentBwd * 1e6) / xentElements });

  tensors.forEach((t) => t.dispose());
  return records;
}
