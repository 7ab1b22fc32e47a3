import type { Backend } from '../../ts/backend/backend.js';
import { makeDataset } from '../../ts/data/dataset.js';
import type { TrainConfig } from '../../ts/train/config.js';
import { PRESETS } from '../../ts/train/presets.js';
import { Trainer } from '../../ts/train/trainer.js';
import { syntheticText } from '../../ts/bench/step-suite.js';
import { loadBackend } from '../../ts/node/backends.js';

// Threads divide every kernel so that each output element is computed by one thread exactly as one
// thread alone computes it (crate/src/share.rs; crate/src/tests/share.rs checks each kernel's
// division natively). Here whole training runs check it end to end: the one-thread wasm-simd
// backend (the simd build, no workers) against the threads build with 2, 3 and 4 threads.

const TEXT = syntheticText(30000, 3);
const noFallback = { onFallback: (m: string) => { throw new Error(m); } };

/** Large enough that every kernel of the step is worth dividing (Backend's MIN_WORK_PER_THREAD). */
const GPT: TrainConfig = {
  ...PRESETS['gpt-baby'].config,
  model: { kind: 'gpt', block: 32, layers: 2, heads: 4, embedding: 64, dropout: 0.1, bias: true },
  batch: 8, steps: 50, warmup: 5, evalEvery: 0,
};
const MLP: TrainConfig = { ...PRESETS.default.config, steps: 50, logEvery: 1 };

function train(be: Backend, config: TrainConfig): { losses: number[]; params: Record<string, number[]>; val: number } {
  const trainer = new Trainer(be, makeDataset(TEXT, { valFraction: 0.1 }), config);
  const losses = Array.from({ length: config.steps }, () => trainer.trainStep());
  const { params } = trainer.state();
  const val = trainer.evaluate().val!;
  trainer.dispose();
  return { losses, params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v.data)])), val };
}

let one: Backend;
const many = new Map<number, Backend>();
beforeAll(async () => {
  one = await loadBackend('wasm-simd', { threads: 1, ...noFallback });
  for (const threads of [2, 3, 4]) many.set(threads, await loadBackend('wasm-simd', { threads, ...noFallback }));
});
afterAll(() => {
  for (const be of many.values()) be.dispose();
});

test('the backends run on the threads asked for', () => {
  expect(one.threadCount).toBe(1);
  for (const [threads, be] of many) expect(be.threadCount).toBe(threads);
});

test.each([
  ['GPT with dropout', GPT],
  ['default MLP', MLP],
])('%s: 50 steps give the same losses, parameters and validation loss, bit for bit, on 1, 2, 3 and 4 threads', (_name, config) => {
  const reference = train(one, config);
  expect(reference.losses[49]).toBeLessThan(reference.losses[0]); // it trained
  for (const [threads, be] of many) {
    const run = train(be, config);
    expect({ threads, ...run }).toEqual({ threads, ...reference });
  }
});
