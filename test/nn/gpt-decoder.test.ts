import type { Backend } from '../../ts/backend/backend.js';
import { Tape } from '../../ts/autograd/tape.js';
import { Vocabulary } from '../../ts/data/vocab.js';
import type { GptConfig } from '../../ts/nn/models/gpt.js';
import { createModel, type Model } from '../../ts/nn/registry.js';
import { generate } from '../../ts/train/generate.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends } from '../helpers/backends.js';

const vocab = Vocabulary.fromText('abcdefghijklmnopqrstuvwxyz .,\n');
const config: GptConfig = { kind: 'gpt', block: 12, layers: 2, heads: 2, embedding: 8, dropout: 0, bias: true };
let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

function model(be: Backend): Model {
  const m = createModel(be, config, vocab.size, { init: 'gpt2', rng: new Rng(3) });
  // Larger weights than GPT-2's 0.02, so the logits depend visibly on every position.
  m.params.forEach((p, i) => m.roles.get(p.name) !== 'gain' && be.write(p.value, new Rng(40 + i).normals(p.value.size, 0.3)));
  return m;
}

test('the KV-cached decoder gives, position by position, the bits of the full pass over the prefix (every backend)', () => {
  for (const be of backends) {
    const m = model(be);
    const rng = new Rng(9);
    const tokens = Array.from({ length: config.block }, () => rng.int(vocab.size));
    const decoder = m.decoder!();
    const tape = new Tape(be, false);
    for (let p = 0; p < tokens.length; p++) {
      const cached = Float32Array.from(decoder.push(tokens[p]).f32());
      tape.reset();
      const full = m.forward(tape, be.fromArray([1, p + 1], Int32Array.from(tokens.slice(0, p + 1)), 'i32')).logits.value;
      const last = full.f32().subarray(p * vocab.size, (p + 1) * vocab.size);
      expect([be.name, p, Array.from(cached)]).toEqual([be.name, p, Array.from(last)]);
    }
    expect(decoder.length).toBe(config.block);
    expect(() => decoder.push(0)).toThrow('the decoder holds 12 positions, the gpt\'s block size. Fix: reset() it');
    decoder.reset();
    expect(Array.from(decoder.push(tokens[0]).f32())).toEqual(Array.from(m.forward(tape, be.fromArray([1, 1], Int32Array.of(tokens[0]), 'i32')).logits.value.f32()));
    decoder.dispose();
  }
});

test('generation with the cache: the same text as the windowed pass while the window is not full, then its own, same for the same seed', () => {
  const be = backends[0];
  const m = model(be);
  const { decoder: _cache, ...windowedOnly } = m;
  const prompt = 'to be';
  const cachedText = generate(be, m, vocab, 40, new Rng(5), { prompt });
  const windowedText = generate(be, windowedOnly as Model, vocab, 40, new Rng(5), { prompt });
  // Until the window (12) fills, both condition on exactly the same characters.
  expect(cachedText.slice(0, config.block - prompt.length)).toBe(windowedText.slice(0, config.block - prompt.length));
  expect(Array.from(cachedText)).toHaveLength(40);
  expect(generate(be, m, vocab, 40, new Rng(5), { prompt })).toBe(cachedText);
});
