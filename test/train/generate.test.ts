import type { Backend } from '../../ts/backend/backend.js';
import { makeDataset } from '../../ts/data/dataset.js';
import { createModel, type Model } from '../../ts/nn/registry.js';
import { generate, keepTopK, sampleIndex } from '../../ts/train/generate.js';
import { Tape } from '../../ts/autograd/tape.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';

const { vocab } = makeDataset('abcdefgh\n');
let backends: Backend[];
let models: Model[];
beforeAll(async () => {
  backends = await allBackends();
  models = backends.map((be) => createModel(be, { kind: 'mlp', hidden: 8 }, vocab.size, { init: 'xavier', rng: new Rng(5) }));
});

/** The model's most likely next character after `last`, read off its logits. */
function argmaxAfter(be: Backend, model: Model, last: string): number {
  const tape = new Tape(be, false);
  const logits = model.forward(tape, be.fromArray([1, 1], vocab.encode(last), 'i32')).logits.value.toArray();
  return logits.indexOf(Math.max(...logits));
}

test('the same seed gives the same text; another seed another text', () => {
  backends.forEach((be, i) => {
    const a = generate(be, models[i], vocab, 200, new Rng(1));
    expect(generate(be, models[i], vocab, 200, new Rng(1))).toBe(a);
    expect(generate(be, models[i], vocab, 200, new Rng(2))).not.toBe(a);
    expect(Array.from(a)).toHaveLength(200);
  });
});

test('top-k 1, and a temperature near 0, draw the most likely character every time (greedy)', () => {
  backends.forEach((be, i) => {
    for (const options of [{ topK: 1 }, { temperature: 1e-3 }]) {
      const text = generate(be, models[i], vocab, 30, new Rng(3), { prompt: 'c', ...options });
      let last = 'c';
      for (const ch of text) {
        expect(vocab.encode(ch)[0]).toBe(argmaxAfter(be, models[i], last));
        last = ch;
      }
    }
  });
});

test('the model sees the end of the prompt, as much as its window holds', () => {
  backends.forEach((be, i) => {
    // The MLP's window is one character: only the prompt's last one conditions it.
    expect(generate(be, models[i], vocab, 50, new Rng(4), { prompt: 'abcd' })).toBe(generate(be, models[i], vocab, 50, new Rng(4), { prompt: 'd' }));
    // ... and that one matters: the prompts ending in each character do not all give one text.
    const texts = new Set(vocab.chars.map((c) => generate(be, models[i], vocab, 50, new Rng(4), { prompt: `ab${c}`, topK: 1 })));
    expect(texts.size).toBeGreaterThan(1);
  });
});

test('bad options are named with the fix', () => {
  const [be, model] = [backends[0], models[0]];
  expect(() => generate(be, model, vocab, 5, new Rng(1), { temperature: 0 })).toThrow(/options.temperature is 0 but must be a positive number. Fix:/);
  expect(() => generate(be, model, vocab, 5, new Rng(1), { topK: 0 })).toThrow(/options.topK is 0 but must be a positive integer. Fix:/);
  expect(() => generate(be, model, vocab, 5, new Rng(1), { prompt: 'abz' })).toThrow(/options.prompt has "z" \(U\+007A\) \(at 2\), which is not in the model's vocabulary: the vocabulary comes from the training text. Fix: use only characters of/);
  expect(() => generate(be, model, vocab, 5, new Rng(1), { prompt: '' })).toThrow(/options.prompt is empty/);
});

test('keepTopK keeps the k largest and any tied with the k-th; sampleIndex draws in proportion', () => {
  expect(Array.from(keepTopK(Float32Array.from([0.1, 0.4, 0.2, 0.2, 0.1]), 2))).toEqual([0, 0.4000000059604645, 0.20000000298023224, 0.20000000298023224, 0]);
  expect(Array.from(keepTopK(Float32Array.from([0.5, 0.5]), 5))).toEqual([0.5, 0.5]);
  // Weights 0, 1, 3 (not normalised): u below 1/4 draws index 1, above it index 2; zeros are never drawn.
  expect([0, 0.24, 0.26, 0.999].map((u) => sampleIndex([0, 1, 3], u))).toEqual([1, 1, 2, 2]);
  expect(sampleIndex([0, 2, 0], 0.9999999)).toBe(1);
});
