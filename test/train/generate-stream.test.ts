// generateStream: generate's text one character at a time, with turns for the event loop, ended by
// a signal or a break, and nothing left allocated either way.
import type { Backend } from '../../ts/backend/backend.js';
import { makeDataset } from '../../ts/data/dataset.js';
import { createModel, type Model, type ModelConfig } from '../../ts/nn/registry.js';
import { generate, generateStream, type StreamOptions } from '../../ts/train/generate.js';
import { Rng } from '../../ts/util/rng.js';
import { allBackends, backend } from '../helpers/backends.js';

const { vocab } = makeDataset('abcdefgh ij\n');
const MODELS: ModelConfig[] = [
  { kind: 'mlp', hidden: 8 },
  { kind: 'context-mlp', context: 4, embedding: 4, hidden: 8 },
  // A GPT samples through its cached decoder; block 8 makes a 40-character sample restart it.
  { kind: 'gpt', block: 8, layers: 1, heads: 2, embedding: 8, dropout: 0, bias: true },
];
let backends: Backend[];
beforeAll(async () => {
  backends = await allBackends();
});

const model = (be: Backend, config: ModelConfig): Model => createModel(be, config, vocab.size, { init: 'xavier', rng: new Rng(5) });

async function collect(stream: AsyncIterable<string>, stopAfter = Infinity, onChar?: (n: number) => void): Promise<string[]> {
  const out: string[] = [];
  for await (const ch of stream) {
    out.push(ch);
    onChar?.(out.length);
    if (out.length >= stopAfter) break;
  }
  return out;
}

test('the stream yields generate’s text for the same seed, one character at a time, on every backend and model kind', async () => {
  const options: StreamOptions[] = [{}, { prompt: 'ab c', temperature: 0.7, topK: 5 }];
  for (const be of backends) {
    for (const config of MODELS) {
      const m = model(be, config);
      for (const o of options) {
        const chars = await collect(generateStream(be, m, vocab, 40, new Rng(9), o));
        expect(chars.every((c) => vocab.chars.includes(c))).toBe(true);
        expect(chars.join('')).toBe(generate(be, m, vocab, 40, new Rng(9), o));
      }
      m.params.forEach((p) => p.dispose());
    }
  }
});

test('an abort ends the stream after the character being drawn; a break ends it too; neither leaves a tensor behind', async () => {
  const be = backend(backends, 'wasm-simd');
  for (const config of MODELS) {
    const m = model(be, config);
    const full = generate(be, m, vocab, 40, new Rng(2));
    const before = be.bytesInUse;
    const controller = new AbortController();
    const aborted = await collect(generateStream(be, m, vocab, 40, new Rng(2), { signal: controller.signal }), Infinity, (n) => n === 10 && controller.abort());
    expect(aborted.join('')).toBe(full.slice(0, 10));
    expect(be.bytesInUse).toBe(before);
    const broken = await collect(generateStream(be, m, vocab, 40, new Rng(2)), 7);
    expect(broken.join('')).toBe(full.slice(0, 7));
    expect(be.bytesInUse).toBe(before);
    expect(await collect(generateStream(be, m, vocab, 40, new Rng(2), { signal: controller.signal }))).toEqual([]);
    m.params.forEach((p) => p.dispose());
  }
});

test('the event loop gets turns while the stream draws: a timer set before it fires before it ends', async () => {
  const be = backend(backends, 'wasm-simd');
  const m = model(be, MODELS[2]);
  let count = 0;
  let firedAt: number | null = null;
  setTimeout(() => (firedAt = count), 0);
  await collect(generateStream(be, m, vocab, 3000, new Rng(1), { yieldMs: 1 }), Infinity, (n) => (count = n));
  expect(firedAt).not.toBeNull();
  expect(firedAt!).toBeLessThan(3000);
  m.params.forEach((p) => p.dispose());
});

test('bad options reject the first next() with the option named, before anything is drawn', async () => {
  const be = backend(backends, 'wasm-simd');
  const m = model(be, MODELS[0]);
  const before = be.bytesInUse;
  await expect(collect(generateStream(be, m, vocab, 5, new Rng(1), { temperature: 0 }))).rejects.toThrow('options.temperature is 0');
  await expect(collect(generateStream(be, m, vocab, 5, new Rng(1), { prompt: 'xyz' }))).rejects.toThrow("which is not in the model's vocabulary");
  await expect(collect(generateStream(be, m, vocab, 5, new Rng(1), { yieldMs: -1 }))).rejects.toThrow('options.yieldMs is -1');
  expect(be.bytesInUse).toBe(before);
  m.params.forEach((p) => p.dispose());
});
