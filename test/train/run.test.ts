// trainer.run: the async loop gives the synchronous loop's bits, stops on a signal, yields to the
// event loop, reports progress, and lets a throwing callback leave the trainer usable.
import type { Backend } from '../../ts/backend/backend.js';
import { makeDataset } from '../../ts/data/dataset.js';
import type { TrainConfig } from '../../ts/train/config.js';
import { PRESETS } from '../../ts/train/presets.js';
import type { EvalProgress, StepProgress } from '../../ts/train/run.js';
import { Trainer } from '../../ts/train/trainer.js';
import { allBackends, backend } from '../helpers/backends.js';
import { markovText } from '../helpers/texts.js';

const TEXT = markovText(20000, 3);
/** Adam with warm-up and cosine decay, estimated evaluations every 4 steps: every path of the loop. */
const CONFIG: TrainConfig = {
  ...PRESETS.context.config,
  model: { kind: 'context-mlp', context: 4, embedding: 8, hidden: 32 },
  optimizer: 'adam', lr: 1e-2, schedule: 'cosine', warmup: 3, minLr: 1e-3,
  batch: 16, steps: 13, valFraction: 0.1, logEvery: 1, evalEvery: 4, evalBatches: 2,
};
const GPT: TrainConfig = {
  ...PRESETS['gpt-baby'].config,
  model: { ...PRESETS['gpt-baby'].config.model, block: 8, layers: 1, heads: 2, embedding: 16 } as TrainConfig['model'],
  batch: 4, steps: 6, evalEvery: 0, evalBatches: 0,
};

let be: Backend;
beforeAll(async () => {
  be = backend(await allBackends(), 'wasm-simd');
});

const trainer = (config: TrainConfig = CONFIG) => new Trainer(be, makeDataset(TEXT, { valFraction: config.valFraction }), config);
const params = (t: Trainer) => t.model.params.map((p) => Array.from(p.value.f32()));

/** The synchronous loop run.ts must reproduce: evaluate before steps evalEvery divides, then step. */
function syncLoop(t: Trainer, until: number) {
  const losses: number[] = [];
  const lrs: number[] = [];
  const evals: EvalProgress[] = [];
  while (t.step < until) {
    if (t.config.evalEvery && t.step % t.config.evalEvery === 0) evals.push({ step: t.step, ...t.evaluate() });
    lrs.push(t.currentLr);
    losses.push(t.trainStep());
  }
  return { losses, lrs, evals };
}

test('run() gives the bits of the synchronous loop: every loss, lr, evaluation and the final parameters', async () => {
  const a = trainer();
  const expected = syncLoop(a, CONFIG.steps);
  const b = trainer();
  const steps: StepProgress[] = [];
  const evals: EvalProgress[] = [];
  const result = await b.run({ onStep: (p) => void steps.push(p), onEval: (e) => void evals.push(e) });
  expect(result).toMatchObject({ reason: 'done', step: CONFIG.steps, stepsRun: CONFIG.steps, lastLoss: expected.losses.at(-1) });
  expect(steps.map((s) => s.loss)).toEqual(expected.losses);
  expect(steps.map((s) => s.lr)).toEqual(expected.lrs);
  expect(steps.map((s) => s.step)).toEqual(expected.losses.map((_, i) => i + 1));
  expect(evals).toEqual(expected.evals);
  expect(evals.map((e) => e.step)).toEqual([0, 4, 8, 12]);
  expect(params(b)).toEqual(params(a));
  a.dispose();
  b.dispose();
});

test('an aborted run stops after the current step; run() again continues to the uninterrupted bits', async () => {
  const whole = trainer();
  syncLoop(whole, CONFIG.steps);
  const t = trainer();
  const controller = new AbortController();
  const seen: number[] = [];
  const first = await t.run({ signal: controller.signal, onStep: (p) => { seen.push(p.step); if (p.step === 5) controller.abort(); } });
  expect(first).toMatchObject({ reason: 'aborted', step: 5, stepsRun: 5 });
  expect(seen).toEqual([1, 2, 3, 4, 5]);
  expect(await t.run({ signal: controller.signal })).toMatchObject({ reason: 'aborted', step: 5, stepsRun: 0, lastLoss: null, msPerStep: null });
  const rest = await t.run();
  expect(rest).toMatchObject({ reason: 'done', step: CONFIG.steps, stepsRun: CONFIG.steps - 5 });
  expect(params(t)).toEqual(params(whole));
  whole.dispose();
  t.dispose();
});

test('the event loop gets turns during a run: a timer set before it fires while it trains', async () => {
  const t = trainer();
  let firedAt: number | null = null;
  setTimeout(() => (firedAt = t.step), 0);
  // 200 steps of a few ms; turns every 5 ms of training.
  await t.run({ until: 200, yieldMs: 5 });
  expect(firedAt).not.toBeNull();
  expect(firedAt!).toBeGreaterThan(0);
  expect(firedAt!).toBeLessThan(200);
  t.dispose();
});

test('a callback that throws rejects run() with its error; the trainer stays usable with the same bits', async () => {
  const whole = trainer();
  syncLoop(whole, CONFIG.steps);
  const t = trainer();
  const failure = new Error('disk full');
  await expect(t.run({ onStep: (p) => { if (p.step === 3) throw failure; } })).rejects.toBe(failure);
  expect(t.step).toBe(3);
  await expect(t.run({ onEval: async (e) => { if (e.step === 8) throw failure; } })).rejects.toBe(failure);
  expect(t.step).toBe(8); // the evaluation before step 8 ran, the step did not
  await t.run();
  expect(params(t)).toEqual(params(whole));
  whole.dispose();
  t.dispose();
});

test('an async onStep is awaited before the next step', async () => {
  const t = trainer();
  const order: string[] = [];
  await t.run({ until: 3, onStep: async (p) => { order.push(`start ${p.step}`); await new Promise((r) => setTimeout(r, 5)); order.push(`end ${p.step} at trainer step ${t.step}`); } });
  expect(order).toEqual(['start 1', 'end 1 at trainer step 1', 'start 2', 'end 2 at trainer step 2', 'start 3', 'end 3 at trainer step 3']);
  t.dispose();
});

test('progress: tokens/s counts the characters a step predicts (B·T for a GPT, B for one target per window); the ETA reaches 0', async () => {
  for (const [config, perStep] of [[CONFIG, CONFIG.batch as number], [GPT, 4 * 8]] as const) {
    const t = trainer(config);
    const steps: StepProgress[] = [];
    const result = await t.run({ onStep: (p) => void steps.push(p) });
    const last = steps.at(-1)!;
    // At the last step tokens/s is (steps·tokens per step)/(the steps' time) and msPerStep is that time over the steps.
    expect((last.tokensPerSecond * result.msPerStep!) / 1000).toBeCloseTo(perStep, 6);
    expect(last.etaSeconds).toBe(0);
    for (const s of steps) expect(s.etaSeconds).toBeGreaterThanOrEqual(0);
    expect(steps.map((s) => s.elapsedSeconds)).toEqual([...steps.map((s) => s.elapsedSeconds)].sort((x, y) => x - y));
    t.dispose();
  }
});

test('a loss that becomes NaN or Infinity ends the run as diverged after that step', async () => {
  const t = trainer({ ...CONFIG, optimizer: 'sgd', schedule: 'constant', lr: 1e30, evalEvery: 0, evalBatches: 0, steps: 50 });
  const losses: number[] = [];
  const result = await t.run({ onStep: (p) => void losses.push(p.loss) });
  expect(result.reason).toBe('diverged');
  expect(Number.isFinite(result.lastLoss)).toBe(false);
  expect(losses.slice(0, -1).every(Number.isFinite)).toBe(true);
  expect(result.step).toBe(losses.length);
  expect(result.step).toBeLessThan(50);
  t.dispose();
});

test('bad options: a clear error naming the option and the fix', async () => {
  const t = trainer();
  await t.run({ until: 2 });
  await expect(t.run({ until: 1 })).rejects.toThrow("options.until is 1, but must be an integer of at least the trainer's step (2). Fix:");
  await expect(t.run({ until: 2.5 })).rejects.toThrow('options.until is 2.5');
  await expect(t.run({ yieldMs: -1 })).rejects.toThrow('options.yieldMs is -1');
  expect(t.step).toBe(2);
  t.dispose();
});
