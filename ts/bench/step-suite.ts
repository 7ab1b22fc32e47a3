import type { Backend } from '../backend/backend.js';
import { makeDataset } from '../data/dataset.js';
import { Trainer } from '../train/trainer.js';
import type { TrainConfig } from '../train/config.js';
import type { ModelConfig } from '../nn/registry.js';
import { Rng } from '../util/rng.js';
import { PRESETS } from '../train/presets.js';
import { measureInterleaved, type MeasureOptions } from './measure.js';
import type { BenchRecord } from './record.js';

/** Vocabulary of the synthetic text: tiny-shakespeare's size, so shapes match real training. */
export const VOCAB = 65;
/** Characters of the synthetic text the steps train on. */
export const TEXT_LENGTH = 200_000;
const GPT_BABY = PRESETS['gpt-baby'].config;

export interface StepCase {
  model: ModelConfig;
  batch: number;
  /** The recipe's training settings where they matter for speed (the gpt's AdamW and clipping). */
  train?: Partial<TrainConfig>;
  /** The dimensions the table shows. */
  shape: number[];
  /** Matmul work of a step (forward and both backward products), or null for a gather-only model. */
  flops: number | null;
}

/** The step benchmarks: a whole training step (sample, forward, backward, update). */
export const STEP_CASES: StepCase[] = [
  { model: { kind: 'linear' }, batch: 1024, shape: [1024, VOCAB], flops: null },
  // The first layer is a gather: matmul work is h @ W2 and its two gradients.
  { model: { kind: 'mlp', hidden: 128 }, batch: 1024, shape: [1024, 128, VOCAB], flops: 3 * 2 * 1024 * 128 * VOCAB },
  { model: { kind: 'mlp', hidden: 512 }, batch: 4096, shape: [4096, 512, VOCAB], flops: 3 * 2 * 4096 * 512 * VOCAB },
  // Preset context's model and batch: two dense layers, (8·16) → 256 → 65.
  { model: { kind: 'context-mlp', context: 8, embedding: 16, hidden: 256 }, batch: 256, shape: [256, 128, 256, VOCAB], flops: 3 * 2 * 256 * (128 * 256 + 256 * VOCAB) },
  // Preset gpt-baby's step (B=12, T=64, 4 layers of 128): per layer c_attn, c_proj, c_fc, c_proj
  // are 12·C² weights; lm_head C·V. Attention's own products are not counted (they run fused).
  { model: GPT_BABY.model, batch: GPT_BABY.batch as number, train: GPT_BABY, shape: [12, 64, 4, 128], flops: 3 * 2 * 12 * 64 * (4 * 12 * 128 * 128 + 128 * VOCAB) },
];

/** The Trainer's config for a case: its model, batch and settings; SGD at a constant rate unless it says otherwise; no validation. */
export function stepConfig({ model, batch, train }: StepCase): TrainConfig {
  return {
    init: 'kaiming', optimizer: 'sgd', lr: 1e-3, schedule: 'constant',
    ...train, model, batch, steps: 1_000_000, seed: 0, valFraction: 0, logEvery: 1_000_000, evalBatches: 0,
  };
}

/**
 * A seeded random text over VOCAB characters. A step's cost does not depend on what the text
 * says, and the benchmark then runs where the corpus is not at hand (a browser, CI).
 */
export function syntheticText(length: number, seed = 1): string {
  const rng = new Rng(seed);
  const chars = Array.from({ length: VOCAB }, (_, i) => String.fromCharCode(33 + i));
  let text = chars.join(''); // every character at least once
  while (text.length < length) text += chars[rng.int(VOCAB)];
  return text;
}

/**
 * Runs the step benchmarks (those `include` accepts: all by default) on one backend, or on several
 * side by side (wasm-simd at several thread counts), each case's samples interleaved.
 */
export function runStepSuite(
  backends: Backend | Backend[], onRecord: (r: BenchRecord) => void, options: MeasureOptions = {}, include: (c: StepCase) => boolean = () => true,
): BenchRecord[] {
  const bes = Array.isArray(backends) ? backends : [backends];
  const data = makeDataset(syntheticText(TEXT_LENGTH));
  const records: BenchRecord[] = [];
  for (const stepCase of STEP_CASES.filter(include)) {
    const { model, shape, flops } = stepCase;
    const config = stepConfig(stepCase);
    const trainers = bes.map((be) => new Trainer(be, data, config));
    const medians = measureInterleaved(trainers.map((trainer) => () => trainer.trainStep()), options);
    bes.forEach((be, i) => {
      const record: BenchRecord = {
        suite: 'step', name: model.kind, backend: be.name, threads: be.threadCount, shape,
        medianMs: medians[i], gflops: flops === null ? null : flops / medians[i] / 1e6, nsPerElement: null,
        ...(flops === null ? {} : { matmulShare: matmulShare(be, () => trainers[i].trainStep()) }),
      };
      records.push(record);
      onRecord(record);
    });
    trainers.forEach((t) => t.dispose());
  }
  return records;
}

/** The fraction of `step`'s time inside backend.matmul, over a few steps timed apart from the benchmark's own. */
function matmulShare(be: Backend, step: () => void): number {
  const original = be.matmul;
  let inMatmul = 0;
  be.matmul = function (...args: Parameters<Backend['matmul']>) {
    const t0 = performance.now();
    original.apply(this, args);
    inMatmul += performance.now() - t0;
  };
  try {
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) step();
    return inMatmul / (performance.now() - t0);
  } finally {
    delete (be as { matmul?: unknown }).matmul; // back to the prototype's
  }
}
