import type { Backend } from '../backend/backend.js';
import { makeDataset } from '../data/dataset.js';
import { PRESETS } from '../train/presets.js';
import { Trainer } from '../train/trainer.js';
import { median, type MeasureOptions } from './measure.js';
import type { BenchRecord } from './record.js';
import { syntheticText, TEXT_LENGTH } from './step-suite.js';

/** Steps per sample: long enough that trainer.run's turns for the event loop (every 20 ms) fall inside. */
const STEPS_PER_SAMPLE = 50;
/** The default recipe (its model, batch, Adam and cosine), run past its 700 steps. */
const CONFIG = { ...PRESETS.default.config, steps: 1_000_000, valFraction: 0 };

/**
 * What trainer.run's Promise, callbacks and event-loop turns cost over calling trainStep() in a
 * loop: the default recipe's steps both ways, samples of each taken in turn, medians per step.
 */
export async function runLoopSuite(be: Backend, onRecord: (r: BenchRecord) => void, options: MeasureOptions = {}): Promise<BenchRecord[]> {
  const { budgetMs = 1000, minSamples = 7 } = options;
  const data = makeDataset(syntheticText(TEXT_LENGTH));
  const sync = new Trainer(be, data, CONFIG);
  const async = new Trainer(be, data, CONFIG);
  const ways: [string, () => Promise<void> | void][] = [
    ['trainStep loop', () => {
      for (let i = 0; i < STEPS_PER_SAMPLE; i++) sync.trainStep();
    }],
    // With an onStep, as an app uses it: the progress object is built every step.
    ['trainer.run', async () => void (await async.run({ until: async.step + STEPS_PER_SAMPLE, onStep: () => {} }))],
  ];
  const samples: number[][] = ways.map(() => []);
  for (const [, fn] of ways) await fn(); // warm-up
  const end = performance.now() + budgetMs * ways.length;
  while (samples[0].length < minSamples || (performance.now() < end && samples[0].length < 200)) {
    for (const [i, [, fn]] of ways.entries()) {
      const start = performance.now();
      await fn();
      samples[i].push((performance.now() - start) / STEPS_PER_SAMPLE);
    }
  }
  sync.dispose();
  async.dispose();
  const hidden = (CONFIG.model as { hidden: number }).hidden;
  return ways.map(([name], i) => {
    const record: BenchRecord = { suite: 'loop', name, backend: be.name, threads: be.threadCount, shape: [CONFIG.batch as number, hidden], medianMs: median(samples[i]), gflops: null, nsPerElement: null };
    onRecord(record);
    return record;
  });
}
