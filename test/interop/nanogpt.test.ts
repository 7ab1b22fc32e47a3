import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../../ts/backend/backend.js';
import { Tape } from '../../ts/autograd/tape.js';
import { Vocabulary } from '../../ts/data/vocab.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../../ts/io/safetensors.js';
import { decodeModelFile, encodeModelFile } from '../../ts/nn/model-file.js';
import type { GptConfig } from '../../ts/nn/models/gpt.js';
import { gpt } from '../../ts/nn/models/gpt.js';
import { createModel, type NamedValues } from '../../ts/nn/registry.js';
import { Rng } from '../../ts/util/rng.js';
import { sampleWindows, trainPart } from '../../ts/data/batches.js';
import { makeDataset } from '../../ts/data/dataset.js';
import { saveRun } from '../../ts/node/run-dir.js';
import type { TrainConfig } from '../../ts/train/config.js';
import { PRESETS } from '../../ts/train/presets.js';
import { Trainer } from '../../ts/train/trainer.js';
import { allBackends, backend } from '../helpers/backends.js';
import { expectClose } from '../helpers/compare.js';

// wasmgrad's gpt against nanoGPT's GPT in PyTorch (test/pytorch/nanogpt_check.py, Debian's
// python3-torch), both ways: our model file loads strictly into PyTorch and gives the same logits,
// loss and gradients; a PyTorch-initialised GPT's state_dict (with torch < 2's mask buffers) loads
// into wasmgrad and gives PyTorch's logits.
const PYTHON = process.env.WASMGRAD_PYTHON ?? '/usr/bin/python3';
const SCRIPT = join(__dirname, '..', 'pytorch', 'nanogpt_check.py');
const FROM_NANOGPT = join(__dirname, '..', '..', 'scripts', 'pytorch', 'from_nanogpt.py');
const TO_NANOGPT = join(__dirname, '..', '..', 'scripts', 'pytorch', 'to_nanogpt.py');
const vocab = Vocabulary.fromText('First Citizen:\nBefore we proceed any further, hear me speak.\n');
const [B, T] = [3, 8];
const tmp = mkdtempSync(join(tmpdir(), 'wasmgrad-nanogpt-'));

let be: Backend;
beforeAll(async () => {
  be = backend(await allBackends(), 'wasm-simd');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(command: string, args: string[]) {
  const r = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (r.error) throw new Error(`cannot run ${command} (${r.error.message}): install Debian's python3-torch (apt-get install python3-torch), or set WASMGRAD_PYTHON to a Python with torch`);
  return r;
}
const python = (command: 'check' | 'export' | 'resume', dir: string) => run(PYTHON, [SCRIPT, command, dir]);

/** A small gpt with non-zero biases, one batch through it, and what PyTorch needs to redo it. */
function writeCase(dir: string, config: GptConfig) {
  const model = createModel(be, config, vocab.size, { init: 'gpt2', rng: new Rng(7) });
  model.params.filter((p) => model.roles.get(p.name) === 'bias').forEach((p, i) => be.write(p.value, new Rng(20 + i).normals(p.value.size, 0.1)));
  const rng = new Rng(5);
  const x = Int32Array.from({ length: B * T }, () => rng.int(vocab.size));
  const y = Int32Array.from({ length: B * T }, () => rng.int(vocab.size));
  const tape = new Tape(be);
  const logits = model.forward(tape, be.fromArray([B, T], x, 'i32')).logits;
  const loss = tape.crossEntropy(logits, be.fromArray([B * T], y, 'i32'));
  tape.backward();
  const values: NamedValues = Object.fromEntries(model.params.map((p) => [p.name, { shape: p.shape, data: Float32Array.from(p.value.f32()) }]));
  writeFileSync(join(dir, 'model.safetensors'), encodeModelFile(config, vocab, values));
  const tensors: Record<string, NamedTensor> = {
    x: { shape: [B, T], data: Float32Array.from(x) },
    y: { shape: [B, T], data: Float32Array.from(y) },
    logits: { shape: logits.shape, data: Float32Array.from(logits.value.f32()) },
    loss: { shape: [1], data: Float32Array.of(loss) },
  };
  for (const p of model.params) tensors[`grad.${p.name}`] = { shape: p.shape, data: Float32Array.from(p.grad.f32()) };
  const metadata = { model_args: JSON.stringify(gpt.exchange!.toArgs(config, vocab.size)), vocab: JSON.stringify(vocab.toJSON()) };
  writeFileSync(join(dir, 'batch.safetensors'), encodeSafetensors(tensors, metadata));
  model.params.forEach((p) => p.dispose());
  return { x, tensors, metadata };
}

const configs: GptConfig[] = [
  { kind: 'gpt', block: T, layers: 2, heads: 2, embedding: 16, dropout: 0, bias: true },
  { kind: 'gpt', block: 2 * T, layers: 3, heads: 4, embedding: 16, dropout: 0, bias: false },
];

describe.each(configs)('gpt %j', (config) => {
  const dir = mkdtempSync(join(tmp, 'case-'));
  let written: ReturnType<typeof writeCase>;
  beforeAll(() => {
    written = writeCase(dir, config);
  });

  test("PyTorch's GPT loads our model.safetensors strictly; its logits, loss and every gradient match ours", () => {
    const r = python('check', dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    // Every parameter's gradient was compared, under nanoGPT's names.
    expect(report.checked).toEqual(expect.arrayContaining(['logits', 'loss', 'grad transformer.wte.weight', 'grad transformer.h.0.attn.c_attn.weight', 'grad transformer.ln_f.weight']));
    expect(report.checked.length).toBe(2 + Object.keys(written.tensors).filter((k) => k.startsWith('grad.')).length);
  });

  test('the check fails when one gradient is wrong (it can fail)', () => {
    const bad = mkdtempSync(join(tmp, 'bad-'));
    writeFileSync(join(bad, 'model.safetensors'), readFileSync(join(dir, 'model.safetensors')));
    const name = 'grad.transformer.h.1.mlp.c_fc.weight';
    const wrong = Float32Array.from(written.tensors[name].data);
    wrong[3] += 1e-3;
    writeFileSync(join(bad, 'batch.safetensors'), encodeSafetensors({ ...written.tensors, [name]: { shape: written.tensors[name].shape, data: wrong } }, written.metadata));
    const r = python('check', bad);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/grad transformer\.h\.1\.mlp\.c_fc\.weight: wasmgrad and PyTorch differ/);
  });

  test("a PyTorch-initialised nanoGPT checkpoint, converted by from_nanogpt.py, loads into wasmgrad and gives PyTorch's logits", () => {
    expect(python('export', dir).status).toBe(0);
    const convert = run(PYTHON, [FROM_NANOGPT, join(dir, 'ckpt.pt'), join(dir, 'meta.pkl'), join(dir, 'torch.safetensors')]);
    expect(convert.stderr).toBe('');
    expect(convert.status).toBe(0);
    const file = decodeModelFile(readFileSync(join(dir, 'torch.safetensors')), 'torch.safetensors');
    expect(file.config).toEqual(config);
    expect(file.vocab.toJSON()).toEqual(vocab.toJSON());
    expect(file.notes.join('\n')).toMatch(`dropped ${config.layers} nanoGPT buffers`);
    const model = createModel(be, file.config, file.vocab.size, { values: file.values });
    const logits = model.forward(new Tape(be, false), be.fromArray([B, T], written.x, 'i32')).logits;
    const expected = decodeSafetensors(readFileSync(join(dir, 'torch-logits.safetensors')), 'torch-logits').tensors.logits;
    expectClose('logits', logits.value.f32(), expected.data, { atol: 1e-4, rtol: 1e-4 });
    model.params.forEach((p) => p.dispose());
  });
});

test("nanoGPT's train.py continues a wasmgrad run: to_nanogpt.py's ckpt.pt (model, AdamW moments, step) takes the same next step as wasmgrad", async () => {
  const dir = mkdtempSync(join(tmp, 'resume-'));
  const text = 'First Citizen:\nBefore we proceed any further, hear me speak.\nAll:\nSpeak, speak.\n'.repeat(30);
  const data = makeDataset(text, { valFraction: 0.1 });
  const config: TrainConfig = {
    ...PRESETS['gpt-baby'].config,
    model: { kind: 'gpt', block: 16, layers: 2, heads: 2, embedding: 16, dropout: 0, bias: true },
    batch: 4, steps: 50, warmup: 2, evalBatches: 0, evalEvery: 0,
  };
  const trainer = new Trainer(be, data, config);
  for (let i = 0; i < 3; i++) trainer.trainStep();
  await saveRun(dir, trainer, { run: { preset: 'gpt-baby', data: { path: 'x' } } });
  // The batch the trainer draws next, from its saved PRNG state.
  const x = new Int32Array(4 * 16);
  const y = new Int32Array(4 * 16);
  sampleWindows(data, trainPart(data), trainer.model.windowShape, Rng.fromState(trainer.state().rngState), x, y);
  const lr = trainer.currentLr;
  trainer.trainStep();
  const nano = join(dir, 'nanogpt');
  const convert = run(PYTHON, [TO_NANOGPT, dir, nano]);
  expect(convert.stderr).toBe('');
  expect(convert.status).toBe(0);
  writeFileSync(join(nano, 'next-batch.safetensors'), encodeSafetensors({ x: { shape: [4, 16], data: Float32Array.from(x) }, y: { shape: [4, 16], data: Float32Array.from(y) } }, { lr: String(lr) }));
  writeFileSync(join(nano, 'next-params.safetensors'), encodeSafetensors(trainer.state().params));
  const r = python('resume', nano);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ iter_num: 3, params: trainer.model.params.length });
  trainer.dispose();
});
