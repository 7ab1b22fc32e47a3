import type { BackendName } from '../backend/types.js';

/** One benchmark result, as `npm run bench -- --json` prints it. */
export interface BenchRecord {
  /** kernel: one call; step: one training step; loop: a step inside trainer.run vs a trainStep loop. */
  suite: 'kernel' | 'step' | 'loop';
  name: string;
  backend: BackendName;
  /** Threads the kernels ran on (wasm-simd's pool; 1 for the others). */
  threads: number;
  shape: number[];
  medianMs: number;
  gflops: number | null;
  nsPerElement: number | null;
  /** Training steps: the fraction of the step's time spent in matmul (the rest is overhead to keep small). */
  matmulShare?: number;
  /** The same case in PyTorch on as many threads (npm run bench, when a Python with torch is at hand). */
  pytorchMs?: number;
}

/** What a record measured, whatever ran it: one row of the table. */
export const caseKey = (r: Pick<BenchRecord, 'suite' | 'name' | 'shape'>): string => `${r.suite}|${r.name}|${r.shape.join('x')}`;
