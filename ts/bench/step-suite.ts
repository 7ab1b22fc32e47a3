import type { Backend } from '../backend/backend.js';
import { makeDataset } from '../data/dataset.js';
import { Trainer } from '../train/trainer.js';
import type { TrainConfig } from '../train/config.js';
import { Rng } from '../util/rng.js';
import { measure, type MeasureOptions } from './measure.js';
import type { BenchRecord } from './record.js';

/** The step benchmarks: a whole training step (sample, forward, backward, update). */
export const STEP_CASES: { name: 'linear' | 'mlp'; batch: number; hidden: number }[] = [
  { name: 'linear', batch: 1024, hidden: 0 },
  { name: 'mlp', batch: 1024, hidden: 128 },
  { name: 'mlp', batch: 4096, hidden: 512 },
];

/** Vocabulary of the synthetic text: tiny-shakespeare's size, so shapes match real training. */
const VOCAB = 65;

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

export function runStepSuite(be: Backend, onRecord: (r: BenchRecord) => void, options: MeasureOptions = {}): BenchRecord[] {
  const data = makeDataset(syntheticText(200_000));
  const records: BenchRecord[] = [];
  for (const { name, batch, hidden } of STEP_CASES) {
    const config: TrainConfig = {
      model: name === 'mlp' ? { kind: 'mlp', hidden } : { kind: 'linear' }, init: 'kaiming', optimizer: 'sgd', lr: 1e-3, schedule: 'constant',
      batch, steps: 1_000_000, seed: 0, valFraction: 0, logEvery: 1_000_000,
    };
    const trainer = new Trainer(be, data, config);
    const ms = measure(() => trainer.trainStep(), options);
    trainer.dispose();
    // Matmul work of an MLP step: forward h@W2, backward dH and dW2 (the first layer is a gather).
    const flops = name === 'mlp' ? 3 * 2 * batch * hidden * VOCAB : null;
    const record: BenchRecord = {
      suite: 'step', name, backend: be.name,
      shape: name === 'mlp' ? [batch, hidden, VOCAB] : [batch, VOCAB],
      medianMs: ms, gflops: flops === null ? null : flops / ms / 1e6, nsPerElement: null,
    };
    records.push(record);
    onRecord(record);
  }
  return records;
}
