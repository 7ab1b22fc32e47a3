import type { Backend } from '../../ts/backend/backend.js';
import { makeDataset } from '../../ts/data/dataset.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../../ts/io/safetensors.js';
import { encodeModelFile } from '../../ts/nn/model-file.js';
import { loadBackend } from '../../ts/node/backends.js';
import { loadCheckpoint, saveCheckpoint } from '../../ts/train/checkpoint.js';
import type { TrainConfig } from '../../ts/train/config.js';
import { generate } from '../../ts/train/generate.js';
import { PRESETS } from '../../ts/train/presets.js';
import { Trainer } from '../../ts/train/trainer.js';
import { Rng } from '../../ts/util/rng.js';
import { thrown } from '../helpers/errors.js';
import { markovText } from '../helpers/texts.js';

const TEXT = markovText(6000, 1);
const MLP: TrainConfig = { ...PRESETS.default.config, model: { kind: 'mlp', hidden: 16 }, batch: 32, steps: 12, valFraction: 0.1 };
// AdamW with decay, clipping, warm-up and cosine, and dropout: every piece of state a resume must restore.
const GPT: TrainConfig = {
  ...PRESETS['gpt-baby'].config,
  model: { kind: 'gpt', block: 8, layers: 2, heads: 2, embedding: 16, dropout: 0.1, bias: true },
  batch: 4, steps: 10, warmup: 3, evalBatches: 0, evalEvery: 0,
};

let be: Backend;
beforeAll(async () => {
  be = await loadBackend('wasm-simd', { threads: 1 });
});

const trainer = (config: TrainConfig) => new Trainer(be, makeDataset(TEXT, { valFraction: config.valFraction }), config);
const paramsOf = (t: Trainer) => Object.fromEntries(t.model.params.map((p) => [p.name, Array.from(p.value.f32())]));

describe.each([['an MLP', MLP, 5], ['a GPT with dropout', GPT, 4]] as const)('%s', (_, config, at) => {
  test(`saved at step ${at}: saveCheckpoint → loadCheckpoint → resume continues bit for bit as the run that never stopped`, () => {
    const whole = trainer(config);
    const expected = Array.from({ length: config.steps }, () => whole.trainStep());

    const first = trainer(config);
    const before = Array.from({ length: at }, () => first.trainStep());
    const bytes = saveCheckpoint(first, { metrics: before.map((loss, step) => ({ step, loss })) });
    first.dispose();
    const saved = loadCheckpoint(bytes, 'ckpt.safetensors');
    expect(saved.kind).toBe('checkpoint');
    expect(saved.step).toBe(at);
    expect(saved.metrics.map((p) => p.loss)).toEqual(before);
    const resumed = saved.resume(be, TEXT);
    expect(resumed.step).toBe(at);
    const after = Array.from({ length: config.steps - at }, () => resumed.trainStep());
    expect([...before, ...after]).toEqual(expected);
    expect(paramsOf(resumed)).toEqual(paramsOf(whole));
    // Saving again gives the same bytes as the uninterrupted run's.
    expect(Buffer.compare(saveCheckpoint(resumed), saveCheckpoint(whole))).toBe(0);
    whole.dispose();
    resumed.dispose();
  });

  test('a checkpoint or the model file samples as the trainer it came from; the model file cannot continue', () => {
    const t = trainer(config);
    for (let i = 0; i < at; i++) t.trainStep();
    const expected = t.generate(40, new Rng(3));
    const file = encodeModelFile(t.config.model, t.data.vocab, t.state().params);
    for (const saved of [loadCheckpoint(saveCheckpoint(t)), loadCheckpoint(file, 'model.safetensors')]) {
      expect(generate(be, saved.createModel(be), saved.vocab, 40, new Rng(3))).toBe(expected);
    }
    const model = loadCheckpoint(file, 'model.safetensors');
    expect(model.kind).toBe('model');
    if (config.model.kind === 'gpt') {
      // nanoGPT's form alone (from_nanogpt.py writes no wasmgrad "format" or "config"): still a model file.
      const nano = loadCheckpoint(editTensors(file, (_, m) => { delete m.format; delete m.config; }), 'ckpt.safetensors');
      expect(nano.kind).toBe('model');
      expect(nano.model).toEqual(config.model);
      expect(generate(be, nano.createModel(be), nano.vocab, 40, new Rng(3))).toBe(expected);
    }
    expect(model.step).toBeNull();
    expect(thrown(() => model.resume(be, TEXT)).message).toMatch(
      /^model\.safetensors is a model file: it holds the model's parameters and vocabulary, but no training config, optimizer state, PRNG state or step, so it cannot continue a run\. Fix: continue from a checkpoint .*newRun\(backend, text, config\)\.$/,
    );
    // A new run from its parameters: step 0, the file's weights, the first step as a trainer given them directly.
    const fresh = model.newRun(be, TEXT, { ...config, model: undefined });
    const direct = new Trainer(be, makeDataset(TEXT, { valFraction: config.valFraction }), config, { params: t.state().params });
    expect(fresh.step).toBe(0);
    expect(fresh.trainStep()).toBe(direct.trainStep());
    expect(thrown(() => model.newRun(be, TEXT)).message).toMatch(/model\.safetensors is a model file, which holds no training config\. Fix: pass one/);
    expect(thrown(() => model.newRun(be, TEXT, { ...config, model: { kind: 'mlp', hidden: 3 } })).message).toMatch(/^config\.model is mlp \(hidden 3\) but model\.safetensors holds a .*Fix: leave config\.model out/);
    [t, fresh, direct].forEach((x) => x.dispose());
  });
});

describe('resume checks the text', () => {
  let bytes: Uint8Array;
  beforeAll(() => {
    const t = trainer(MLP);
    t.trainStep();
    bytes = saveCheckpoint(t, { run: { data: { path: 'shakespeare.txt' } } });
    t.dispose();
  });

  test('another vocabulary: which characters the text lacks or adds', () => {
    const saved = loadCheckpoint(bytes, 'ckpt');
    const lacking = thrown(() => saved.resume(be, TEXT.replaceAll('q', 'a'))).message;
    expect(lacking).toBe(
      'the text does not give the vocabulary ckpt was trained with: the checkpoint has 20 characters, the text 19; the text lacks "q" (U+0071). ' +
        'Fix: pass the text the run trained on (shakespeare.txt), or start a new run from these parameters on this text with newRun(backend, text).',
    );
    expect(thrown(() => saved.resume(be, TEXT + 'Zé')).message).toMatch(/^the text does not give the vocabulary ckpt was trained with: the checkpoint has 20 characters, the text 22; the text has "Z" \(U\+005A\), "é" \(U\+00E9\), which the checkpoint does not\. Fix:/);
  });

  test('the same characters but another length: its batches would differ', () => {
    expect(thrown(() => loadCheckpoint(bytes, 'ckpt').resume(be, TEXT.slice(0, 5000))).message).toMatch(/^the text has 5000 characters but ckpt was trained on a text of 6000: its batches would differ\. Fix:/);
  });

  test('steps: more than saved trains further; fewer than done is refused', () => {
    const saved = loadCheckpoint(bytes, 'ckpt');
    const t = saved.resume(be, TEXT, { steps: 50 });
    expect(t.config.steps).toBe(50);
    t.dispose();
    expect(thrown(() => saved.resume(be, TEXT, { steps: 0 })).message).toMatch(/config\.steps/);
  });

  test('a run saved past its steps (trainStep trains on) resumes as saved, bit for bit; steps fewer than done is refused', () => {
    const whole = trainer(MLP);
    for (let i = 0; i < MLP.steps + 5; i++) whole.trainStep();
    const bytes = saveCheckpoint(whole);
    const next = whole.trainStep();
    const resumed = loadCheckpoint(bytes, 'ckpt').resume(be, TEXT);
    expect([resumed.step, resumed.config.steps]).toEqual([MLP.steps + 5, MLP.steps]);
    expect(resumed.trainStep()).toBe(next);
    expect(paramsOf(resumed)).toEqual(paramsOf(whole));
    expect(thrown(() => loadCheckpoint(bytes, 'ckpt').resume(be, TEXT, { steps: MLP.steps + 1 })).message).toBe(
      `steps ${MLP.steps + 1} is fewer than the ${MLP.steps + 5} steps ckpt has already done. Fix: pass steps of at least ${MLP.steps + 5}.`,
    );
    whole.dispose();
    resumed.dispose();
  });
});

/** A safetensors file's header, changed by `edit`, over the same data bytes. */
function editHeader(bytes: Uint8Array, edit: (header: Record<string, any>) => void): Uint8Array {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + length), 8 + json.length);
  return out;
}

/** The checkpoint's tensors and metadata, changed by `edit`, encoded again. */
function editTensors(bytes: Uint8Array, edit: (tensors: Record<string, NamedTensor>, metadata: Record<string, string>) => void): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(bytes, 'x');
  edit(tensors, metadata);
  return encodeSafetensors(tensors, metadata);
}

describe('bad input: a clear error naming the tensor, the expected value and the fix', () => {
  let good: Uint8Array;
  beforeAll(() => {
    const t = trainer(MLP);
    good = saveCheckpoint(t);
    t.dispose();
  });
  const load = (bytes: Uint8Array) => thrown(() => loadCheckpoint(bytes, 'ckpt.safetensors')).message;
  const notValid = 'ckpt.safetensors is not a valid safetensors checkpoint: ';

  test('truncated bytes', () => {
    expect(load(good.subarray(0, good.length - 3))).toMatch(new RegExp(`^${notValid}tensor "[^"]+" ends at data byte \\d+ but the file holds only \\d+ data bytes \\(truncated checkpoint\\)\\. Fix:`));
    expect(load(good.subarray(0, 5))).toMatch(/it has 5 bytes, fewer than the 8 of the header length \(truncated checkpoint\)/);
    expect(load(good.subarray(0, 100))).toMatch(/its header claims \d+ bytes but the file has only 92 after the length field \(truncated checkpoint\)/);
  });

  test('a header length larger than the file, or nonsense', () => {
    const long = good.slice();
    new DataView(long.buffer).setUint32(0, good.length, true);
    expect(load(long)).toMatch(/its header claims \d+ bytes but the file has only \d+ after the length field/);
    const nonsense = good.slice();
    nonsense.set([0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef]);
    expect(load(nonsense)).toMatch(/its header length field \(\d+ bytes\) is implausibly large; it is not a safetensors file or is corrupted/);
  });

  test('a header that is not JSON', () => {
    const broken = good.slice();
    broken[8] = 'x'.charCodeAt(0);
    expect(load(broken)).toMatch(new RegExp(`^${notValid}its header is not UTF-8 JSON \\(`));
  });

  test('a wrong dtype: every tensor that is not F32, by name', () => {
    const f16 = editHeader(good, (h) => {
      h.w1.dtype = 'F16';
      h.b2.dtype = 'BF16';
    });
    expect(load(f16)).toBe(`${notValid}tensor "b2" has dtype "BF16", tensor "w1" has dtype "F16"; wasmgrad reads only F32. Fix: convert the tensors to float32 before saving (e.g. tensor.float() in PyTorch).`);
  });

  test('missing, extra and misshapen tensors: every difference at once, with the expected shape', () => {
    const message = load(
      editTensors(good, (t) => {
        delete t.b1;
        delete t['optimizer/w2.v'];
        t.w2 = { shape: [20, 16], data: t.w2.data };
        t['h.0.extra'] = { shape: [2], data: new Float32Array(2) };
      }),
    );
    expect(message).toBe(
      'ckpt.safetensors does not hold the tensors its config describes (4 differences): ' +
        "the checkpoint has no parameter 'b1', which a mlp (hidden 16) over 20 characters has, of shape (16); " +
        "the checkpoint's 'w2' is (20,16) but a mlp (hidden 16) over 20 characters has it (16,20); " +
        "the checkpoint has parameter 'h.0.extra', which a mlp (hidden 16) over 20 characters does not have; " +
        "the checkpoint has no optimizer tensor 'optimizer/w2.v', which the adam optimizer has, of shape (16,20). " +
        "Fix: load a checkpoint that wasmgrad wrote and nobody changed; a model file converted from another framework must have its names and shapes (scripts/pytorch/from_nanogpt.py).",
    );
  });

  test('a model file with a tensor missing', () => {
    const t = trainer(MLP);
    const file = encodeModelFile(t.config.model, t.data.vocab, t.state().params);
    t.dispose();
    expect(load(editTensors(file, (tensors) => delete tensors.w1))).toMatch(/^ckpt\.safetensors does not hold the tensors its config describes \(1 difference\): the checkpoint has no parameter 'w1', which a mlp \(hidden 16\) over 20 characters has, of shape \(20,16\)\. Fix:/);
  });

  test('a foreign safetensors file: no wasmgrad metadata', () => {
    const tensors = { 'model.embed.weight': { shape: [2, 2], data: new Float32Array(4) } };
    expect(load(encodeSafetensors(tensors))).toBe(
      "ckpt.safetensors is a safetensors file, but not one wasmgrad wrote: its metadata has no \"format\" (no metadata at all; 1 tensors, such as 'model.embed.weight'). " +
        "Fix: pass the bytes of saveCheckpoint, a run's checkpoint.safetensors or model.safetensors, or a nanoGPT checkpoint converted by scripts/pytorch/from_nanogpt.py.",
    );
    expect(load(encodeSafetensors(tensors, { format: 'pt' }))).toMatch(/not one wasmgrad wrote: its metadata has format "pt" \(metadata keys "format"; 1 tensors/);
  });

  test('metadata that is not JSON, of another version, or with a broken field', () => {
    expect(load(editTensors(good, (_, m) => (m.run = '{"config":')))).toMatch(/^ckpt\.safetensors has metadata "run" that is not valid JSON \(.*\): it was changed by hand or by another program\. Fix:/);
    expect(load(editTensors(good, (_, m) => (m.version = '4')))).toMatch(/^ckpt\.safetensors is a wasmgrad checkpoint of version "4", but this wasmgrad reads version 3\. Fix:/);
    const run = (edit: (r: Record<string, any>) => void) => editTensors(good, (_, m) => { const r = JSON.parse(m.run); edit(r); m.run = JSON.stringify(r); });
    expect(load(run((r) => (r.rngState = [0, 0, 0, 0])))).toBe('ckpt.safetensors: its metadata "run" has rngState [0,0,0,0], not four uint32 words (not all zero). Fix: use an intact checkpoint, or train again.');
    expect(load(run((r) => (r.config.lr = -1)))).toMatch(/^ckpt\.safetensors: its metadata "run" holds a config that is not valid: config\.lr .*\. Fix: use an intact checkpoint, or train again\.$/);
    expect(load(run((r) => (r.vocab = ['b', 'a'])))).toMatch(/holds a vocabulary that is not valid: vocabulary is not sorted by code point/);
    expect(load(run((r) => (r.step = -1)))).toMatch(/has step -1, not a count of steps/);
  });

  test('not bytes at all', () => {
    expect(thrown(() => loadCheckpoint('runs/x/checkpoint.safetensors' as never)).message).toMatch(/^loadCheckpoint takes the file's bytes \(a Uint8Array or an ArrayBuffer\), not string\. Fix:/);
  });
});
