import type { Backend } from '../../ts/backend/backend.js';
import { makeDataset } from '../../ts/data/dataset.js';
import type { TrainConfig } from '../../ts/train/config.js';
import { PRESETS } from '../../ts/train/presets.js';
import { Trainer } from '../../ts/train/trainer.js';
import { Tape } from '../../ts/autograd/tape.js';
import { Rng } from '../../ts/util/rng.js';
import { syntheticText } from '../../ts/bench/step-suite.js';
import { allBackends, backend } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';
import { markovText } from '../helpers/texts.js';

const TEXT = markovText(20000, 1);
const MLP: TrainConfig = { ...PRESETS.mlp.config, model: { kind: 'mlp', hidden: 32 }, batch: 64, steps: 20, logEvery: 1 };

let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

function run(be: Backend, config: TrainConfig, steps = config.steps): number[] {
  const trainer = new Trainer(be, makeDataset(TEXT, { valFraction: config.valFraction }), config);
  const losses = Array.from({ length: steps }, () => trainer.trainStep());
  trainer.dispose();
  return losses;
}

test('the same seed gives bit-identical losses; another seed does not', () => {
  for (const be of backends) {
    const a = run(be, MLP);
    expect(run(be, MLP)).toEqual(a); // toEqual on numbers is exact (Object.is)
    expect(run(be, { ...MLP, seed: 1 })).not.toEqual(a);
  }
});

// The backends differ only in rounding: wasm-simd and wasm-scalar run the same arithmetic in the
// same order (the crate's kernels are written once over a 4-lane type), so they agree exactly;
// js accumulates in float64, so after 20 SGD steps its losses differ by rounding (~1e-6 relative),
// amplified by nothing at this learning rate. 1e-4 relative bounds that and catches any real
// divergence (a wrong gradient moves the loss by more than 1e-3 within 20 steps).
test.each(['sgd', 'adam'] as const)('a 20-step seeded MLP run (%s) agrees across the three backends', (optimizer) => {
  const config: TrainConfig = { ...MLP, optimizer, lr: optimizer === 'adam' ? 1e-2 : 0.1, init: 'kaiming' };
  const simd = run(backend(backends, 'wasm-simd'), config);
  expect(run(backend(backends, 'wasm-scalar'), config)).toEqual(simd);
  expectClose('js losses', run(backend(backends, 'js'), config), simd, { rtol: 1e-4 });
  expect(simd[19]).toBeLessThan(simd[0]); // and it learns
});

test('a training step allocates nothing after the first', () => {
  for (const be of backends) {
    const trainer = new Trainer(be, makeDataset(TEXT), { ...MLP, optimizer: 'adam' });
    trainer.trainStep();
    const inUse = be.bytesInUse;
    const buffer = be.memoryBuffer();
    for (let i = 0; i < 10; i++) trainer.trainStep();
    expect(be.bytesInUse).toBe(inUse);
    expect(be.memoryBuffer()).toBe(buffer);
    trainer.dispose();
  }
});

test('a full-batch step reports the full-data loss of the parameters it starts from', () => {
  const be = backend(backends, 'wasm-simd');
  // 40000 characters: more than one evaluation chunk, so chunking and the weighted gradient show.
  const trainer = new Trainer(be, makeDataset(markovText(40000, 2)), { ...PRESETS['perceptron-full'].config, lr: 1 });
  const before = trainer.fullDataLoss();
  const stepLoss = trainer.trainStep();
  expectClose('full-batch loss', [stepLoss], [before], { rtol: 1e-6 });
  expect(trainer.fullDataLoss()).toBeLessThan(before);
  trainer.dispose();
});

test("a one-token model's exact losses: the mean over every window, each window's loss recomputed in float64", () => {
  const be = backend(backends, 'wasm-simd');
  const data = makeDataset(TEXT, { valFraction: 0.2 });
  const trainer = new Trainer(be, data, { ...MLP, valFraction: 0.2 });
  for (let i = 0; i < 5; i++) trainer.trainStep();
  // The reference runs the model on every window of the part, one window per row.
  const windowed = (start: number, end: number): number => {
    const windows = end - start - 1;
    const inputs = be.tensor([windows, 1], 'i32');
    inputs.i32().set(data.tokens.subarray(start, end - 1));
    const tape = new Tape(be, false);
    const logits = trainer.model.forward(tape, inputs).logits.value.f32();
    const v = data.vocab.size;
    let total = 0;
    for (let w = 0; w < windows; w++) {
      const row = Array.from(logits.subarray(w * v, (w + 1) * v));
      const max = Math.max(...row);
      const logSum = max + Math.log(row.reduce((sum, x) => sum + Math.exp(x - max), 0));
      total += logSum - row[data.tokens[start + w + 1]];
    }
    tape.dispose();
    inputs.dispose();
    return total / windows;
  };
  expectClose('validation loss', [trainer.valLoss()!], [windowed(data.trainEnd, data.tokens.length)], { rtol: 1e-9 });
  expectClose('full-data loss', [trainer.fullDataLoss()], [windowed(0, data.tokens.length)], { rtol: 1e-9 });
  trainer.dispose();
});

test('the cosine schedule decays from lr to 0; constant stays', () => {
  const be = backend(backends, 'js');
  const trainer = new Trainer(be, makeDataset(TEXT), { ...MLP, schedule: 'cosine', lr: 0.5, steps: 4 });
  const lrs = [0, 1, 2, 3].map(() => {
    const lr = trainer.currentLr;
    trainer.trainStep();
    return lr;
  });
  expectClose('lrs', lrs, [0.5, 0.25 * (1 + Math.cos(Math.PI / 4)), 0.25, 0.25 * (1 + Math.cos((3 * Math.PI) / 4))], { rtol: 1e-12 });
  expect(new Trainer(be, makeDataset(TEXT), MLP).currentLr).toBe(MLP.lr);
});

test('activation statistics: softmax mean |x| = 1/V (rows sum to 1); hidden only for models with one', () => {
  const be = backend(backends, 'wasm-simd');
  const data = makeDataset(TEXT);
  const v = data.vocab.size;
  const mlp = new Trainer(be, data, MLP).activationStats();
  expect(mlp.softmax).toBeCloseTo(1 / v, 6);
  expect(mlp.hidden).toBeGreaterThan(0);
  expect(mlp.softmaxMax).toBeGreaterThan(1 / v);
  expect(new Trainer(be, data, { ...MLP, model: { kind: 'linear' } }).activationStats().hidden).toBeNull();
});

/** Mean |x| over the probe windows of what the first dense layer reads, in float64 from the parameters. */
function embeddedMeanAbs(trainer: Trainer, embed: (token: number, position: number, k: number) => number, width: number): number {
  const { window } = trainer.model;
  let sum = 0;
  let count = 0;
  for (const start of trainer.probeStarts) {
    for (let t = 0; t < window; t++) {
      const token = trainer.data.tokens[start + t];
      for (let k = 0; k < width; k++, count++) sum += Math.abs(embed(token, t, k));
    }
  }
  return sum / count;
}

test("activation statistics: a model that embeds its tokens reports the embedded vectors' mean |x| (float64 from the parameters)", () => {
  const be = backend(backends, 'wasm-simd');
  const data = makeDataset(TEXT);
  const param = (trainer: Trainer, name: string) => Float64Array.from(trainer.model.params.find((p) => p.name === name)!.value.f32());

  const context = new Trainer(be, data, { ...MLP, model: { kind: 'context-mlp', context: 4, embedding: 6, hidden: 16 } });
  const table = param(context, 'embedding');
  expect(context.activationStats().input).toBeCloseTo(embeddedMeanAbs(context, (token, _, k) => table[token * 6 + k], 6), 6);

  const c = 16;
  const gpt = new Trainer(be, data, { ...PRESETS['gpt-baby'].config, model: { kind: 'gpt', block: 8, layers: 1, heads: 2, embedding: c, bias: true, dropout: 0 }, batch: 4, valFraction: 0 });
  const wte = param(gpt, 'transformer.wte.weight');
  const wpe = param(gpt, 'transformer.wpe.weight');
  const expected = embeddedMeanAbs(gpt, (token, t, k) => wte[token * c + k] + wpe[t * c + k], c);
  expect(gpt.activationStats().input).toBeCloseTo(expected, 6);
  // Without the position embeddings the mean is another: the check sees both tables.
  expect(Math.abs(embeddedMeanAbs(gpt, (token, _, k) => wte[token * c + k], c) - expected)).toBeGreaterThan(1e-4);
});

test('validation loss exists only with a split, and is computed on the tail', () => {
  const be = backend(backends, 'wasm-simd');
  expect(new Trainer(be, makeDataset(TEXT), MLP).valLoss()).toBeNull();
  const split = new Trainer(be, makeDataset(TEXT, { valFraction: 0.2 }), { ...MLP, valFraction: 0.2 });
  expect(split.valLoss()).toBeGreaterThan(0);
});

test('generation: seeded, in the vocabulary, of the asked length', () => {
  const be = backend(backends, 'wasm-simd');
  const data = makeDataset(syntheticText(5000));
  const trainer = new Trainer(be, data, MLP);
  const a = trainer.generate(50, new Rng(4));
  expect(Array.from(a)).toHaveLength(50);
  expect(Array.from(a).every((c) => data.vocab.chars.includes(c))).toBe(true);
  expect(trainer.generate(50, new Rng(4))).toBe(a);
});

test('a batch larger than the training windows is refused with the fix, in the library\'s words', () => {
  const be = backend(backends, 'js');
  expect(() => new Trainer(be, makeDataset('abcabc'), { ...MLP, batch: 6 })).toThrow(/^config.batch 6 is larger than the 5 training windows. Fix: use a batch of 5 or less, or 'full'.$/);
});

test('config.valFraction is honoured, not ignored: a dataset split another way is refused with the fix', () => {
  const be = backend(backends, 'js');
  expect(() => new Trainer(be, makeDataset(TEXT), { ...MLP, valFraction: 0.2 })).toThrow(
    /^config.valFraction is 0.2, but the dataset holds out 0 of its 20000 characters for validation. Fix: make the dataset with makeDataset\(text, \{ valFraction: config.valFraction \}\).$/,
  );
  expect(() => new Trainer(be, makeDataset(TEXT, { valFraction: 0.1 }), { ...MLP, valFraction: 0 })).toThrow(/holds out 2000 of its 20000 characters/);
  expect(new Trainer(be, makeDataset(TEXT, { valFraction: 0.1 }), { ...MLP, valFraction: 0.1 }).valLoss()).toBeGreaterThan(0);
});

test("the cosine schedule: nanoGPT's get_lr (linear warm-up, then cosine to minLr); without warm-up and minLr the plain cosine", () => {
  const be = backends[0];
  const data = makeDataset(TEXT);
  const lrAt = (config: TrainConfig, steps: number[]) => {
    const trainer = new Trainer(be, data, config);
    const out: number[] = [];
    for (let s = 0; s <= Math.max(...steps); s++) {
      if (steps.includes(s)) out.push(trainer.currentLr);
      trainer.step = s + 1; // the schedule reads only the step count
    }
    trainer.dispose();
    return out;
  };
  const base: TrainConfig = { ...MLP, optimizer: 'adamw', schedule: 'cosine', lr: 1e-3, steps: 2000 };
  const getLr = (it: number, warmup: number, minLr: number) =>
    it < warmup ? (1e-3 * (it + 1)) / (warmup + 1) : minLr + 0.5 * (1 + Math.cos((Math.PI * (it - warmup)) / (2000 - warmup))) * (1e-3 - minLr);
  const its = [0, 50, 99, 100, 101, 1000, 1999, 2000];
  expectClose('warm-up and cosine', lrAt({ ...base, warmup: 100, minLr: 1e-4 }, its), its.map((it) => getLr(it, 100, 1e-4)), { rtol: 1e-12 });
  expect(lrAt(base, its)).toEqual(its.map((it) => 0.5 * 1e-3 * (1 + Math.cos((Math.PI * it) / 2000))));
  // Past the configured steps the schedule stays at its last rate (nanoGPT's get_lr returns min_lr there).
  expect(lrAt({ ...base, warmup: 100, minLr: 1e-4 }, [2000, 2001, 5000])).toEqual([1e-4, 1e-4, 1e-4]);
});

test('gradient clipping scales the whole step to the clip norm; AdamW decays weights and embeddings, not biases', () => {
  for (const be of backends) {
    const data = makeDataset(TEXT);
    // SGD with lr 1: the update is the (clipped) gradient itself.
    const clipped = new Trainer(be, data, { ...MLP, optimizer: 'sgd', lr: 1, schedule: 'constant', gradClip: 0.01 });
    const before = clipped.model.params.map((p) => Float64Array.from(p.value.f32()));
    clipped.trainStep();
    const moved = Math.sqrt(clipped.model.params.reduce((a, p, i) => a + p.value.toArray().reduce((b, v, j) => b + (v - before[i][j]) ** 2, 0), 0));
    expect(clipped.lastGradNorm!).toBeGreaterThan(0.01); // the gradient was larger than the clip ...
    expectClose(`${be.name} update norm`, [moved], [0.01], { rtol: 1e-4 }); // ... and the step is the clip's size
    clipped.dispose();

    // AdamW against Adam from the same start: the first step's gradients are the same, so the only
    // difference is the decay, -lr·wd·p0 on weights (1 - 1e-3·10 = 0.99) and nothing on biases.
    const step1 = (optimizer: 'adam' | 'adamw') => {
      const t = new Trainer(be, data, { ...MLP, optimizer, lr: 1e-3, schedule: 'constant', weightDecay: 10 });
      const start = new Map(t.model.params.map((p) => [p.name, p.value.toArray()]));
      t.trainStep();
      const after = new Map(t.model.params.map((p) => [p.name, p.value.toArray()]));
      const roles = t.model.roles;
      t.dispose();
      return { start, after, roles };
    };
    const [adam, adamw] = [step1('adam'), step1('adamw')];
    for (const [name, role] of adamw.roles) {
      const expected = adam.after.get(name)!.map((v, i) => (role === 'bias' ? v : v - 0.01 * adamw.start.get(name)![i]));
      if (role === 'bias') expect(adamw.after.get(name)).toEqual(adam.after.get(name));
      else expectClose(`${be.name} ${name} decayed`, adamw.after.get(name)!, expected, { atol: 1e-6 });
    }
  }
});

test('a GPT with dropout: resumed from its state it continues bit-identically; dropout changes training, not evaluation', () => {
  const be = backend(backends, 'wasm-simd');
  const config: TrainConfig = {
    ...PRESETS['gpt-baby'].config, model: { kind: 'gpt', block: 16, layers: 2, heads: 2, embedding: 16, dropout: 0.2, bias: true },
    batch: 4, steps: 12, warmup: 2, evalBatches: 2,
  };
  const data = makeDataset(TEXT, { valFraction: 0.1 });
  const whole = new Trainer(be, data, config);
  const straight = Array.from({ length: 12 }, () => whole.trainStep());
  const first = new Trainer(be, data, config);
  const before = Array.from({ length: 5 }, () => first.trainStep());
  const resumed = new Trainer(be, data, config, first.state());
  const after = Array.from({ length: 7 }, () => resumed.trainStep());
  expect([...before, ...after]).toEqual(straight);
  expect(resumed.state().params).toEqual(whole.state().params);
  expect(resumed.evaluate()).toEqual(whole.evaluate());
  // Without dropout the first step's loss differs (the masks were applied); evaluating the same parameters does not.
  const noDropout = { ...config, model: { ...config.model, dropout: 0 } as TrainConfig['model'] };
  const plain = new Trainer(be, data, noDropout);
  expect(plain.trainStep()).not.toBe(straight[0]);
  const sameParams = new Trainer(be, data, noDropout, whole.state());
  expect(sameParams.evaluate()).toEqual(whole.evaluate());
  for (const t of [whole, first, resumed, plain, sameParams]) t.dispose();
});

test('micro-batches (gradient accumulation) give the whole batch\'s steps, up to rounding; a micro-batch that does not divide the batch is refused', () => {
  const be = backend(backends, 'wasm-simd');
  const config: TrainConfig = {
    ...PRESETS['gpt-baby'].config, model: { kind: 'gpt', block: 16, layers: 2, heads: 2, embedding: 16, dropout: 0, bias: true },
    batch: 8, steps: 6, warmup: 0,
  };
  const whole = run(be, config, 6);
  const micro = run(be, { ...config, microBatch: 2 }, 6);
  expectClose('losses in micro-batches of 2', micro, whole, { rtol: 2e-5 });
  expect(micro).not.toEqual(whole); // another summation order: really a different path
  expect(() => run(be, { ...config, microBatch: 3 }, 1)).toThrow('config.microBatch 3 must divide config.batch 8');
  // Estimates and exact losses run in micro-batches too: the same windows, the same means up to rounding.
  const data = makeDataset(TEXT, { valFraction: 0.1 });
  const [a, b] = [new Trainer(be, data, { ...config, evalBatches: 3 }), new Trainer(be, data, { ...config, evalBatches: 3, microBatch: 2 })];
  const [ea, eb] = [a.evaluate(), b.evaluate()];
  expectClose('estimates in micro-batches', [eb.train, eb.val!], [ea.train, ea.val!], { rtol: 1e-6 });
  expectClose('exact validation in micro-batches', [b.valLoss()!], [a.valLoss()!], { rtol: 1e-6 });
  a.dispose();
  b.dispose();
});
