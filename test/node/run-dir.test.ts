import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../../ts/backend/backend.js';
import { makeDataset } from '../../ts/data/dataset.js';
import { encodeSafetensors, type NamedTensor } from '../../ts/io/safetensors.js';
import { encodeModelFile } from '../../ts/nn/model-file.js';
import { loadBackend } from '../../ts/node/backends.js';
import { loadRun, saveRun, type RunInfo } from '../../ts/node/run-dir.js';
import { saveCheckpoint } from '../../ts/train/checkpoint.js';
import type { TrainConfig } from '../../ts/train/config.js';
import { PRESETS } from '../../ts/train/presets.js';
import { Trainer } from '../../ts/train/trainer.js';
import { Rng } from '../../ts/util/rng.js';
import { rejected } from '../helpers/errors.js';

const TEXT = (() => {
  const rng = new Rng(2);
  const chars = 'abcdefgh ij\n.';
  return Array.from({ length: 4000 }, () => chars[rng.int(chars.length)]).join('');
})();
const CONFIG: TrainConfig = { ...PRESETS.default.config, model: { kind: 'mlp', hidden: 8 }, batch: 16, steps: 8, valFraction: 0.1 };
const RUN = { preset: 'default', data: { path: 'text.txt' }, initLoss: 2.5, initStats: null };

let be: Backend;
let dir: string;
beforeAll(async () => {
  be = await loadBackend('wasm-simd', { threads: 1 });
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasmgrad-run-dir-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const newTrainer = () => new Trainer(be, makeDataset(TEXT, { valFraction: CONFIG.valFraction }), CONFIG);

test("saveRun writes saveCheckpoint's bytes, the model file and the metrics; loadRun's checkpoint continues bit for bit", async () => {
  const whole = newTrainer();
  const expected = Array.from({ length: CONFIG.steps }, () => whole.trainStep());
  const t = newTrainer();
  const metrics = [0, 1, 2].map((step) => ({ step, loss: t.trainStep() }));
  await saveRun(dir, t, { run: RUN, metrics });
  expect(Buffer.compare(await readFile(join(dir, 'checkpoint.safetensors')), saveCheckpoint(t, { run: RUN, metrics }))).toBe(0);
  expect(Buffer.compare(await readFile(join(dir, 'model.safetensors')), encodeModelFile(CONFIG.model, t.data.vocab, t.state().params))).toBe(0);
  expect(await readFile(join(dir, 'metrics.jsonl'), 'utf8')).toBe(metrics.map((p) => JSON.stringify(p) + '\n').join(''));

  const run = await loadRun(dir);
  expect(run.meta).toMatchObject({ preset: 'default', backend: 'wasm-simd', data: { path: 'text.txt', characters: TEXT.length }, initLoss: 2.5, step: 3 });
  expect(run.metrics).toEqual(metrics);
  const resumed = run.checkpoint.resume(be, TEXT);
  expect([...metrics.map((p) => p.loss), ...Array.from({ length: CONFIG.steps - 3 }, () => resumed.trainStep())]).toEqual(expected);
  [whole, t, resumed].forEach((x) => x.dispose());
});

test('a checkpoint saved outside a run directory (no preset, no text path) loads as a run, with defaults the CLI can use', async () => {
  const t = newTrainer();
  t.trainStep();
  await writeFile(join(dir, 'checkpoint.safetensors'), saveCheckpoint(t));
  const run = await loadRun(dir);
  expect(run.meta).toMatchObject({ preset: 'custom', backend: 'wasm-simd', data: { path: 'datasets/tinyShakespeare.txt', characters: TEXT.length }, initLoss: null, initStats: null, step: 1 });
  t.dispose();
});

test('an abort during a save leaves the previous checkpoint byte for byte, and no temporary file', async () => {
  const t = newTrainer();
  t.trainStep();
  await saveRun(dir, t, { run: RUN });
  const before = await Promise.all(['checkpoint.safetensors', 'model.safetensors', 'metrics.jsonl'].map((f) => readFile(join(dir, f))));
  t.trainStep();
  const abort = new AbortController();
  // saveRun has encoded the checkpoint and opened its temporary file when this runs: the abort lands mid-write.
  const saving = saveRun(dir, t, { run: RUN, signal: abort.signal });
  abort.abort(new Error('the page was closed'));
  const error = await rejected(saving);
  expect(error.message).toBe(`saving checkpoint.safetensors in ${dir} was aborted (the page was closed); the checkpoint already there is unchanged. Fix: save again when the run should be kept.`);
  const after = await Promise.all(['checkpoint.safetensors', 'model.safetensors', 'metrics.jsonl'].map((f) => readFile(join(dir, f))));
  after.forEach((bytes, i) => expect(Buffer.compare(bytes, before[i])).toBe(0));
  expect((await readdir(dir)).sort()).toEqual(['checkpoint.safetensors', 'metrics.jsonl', 'model.safetensors']);
  expect((await loadRun(dir)).meta.step).toBe(1);
  t.dispose();
});

test('a model file where the checkpoint should be: loadRun says it cannot continue a run', async () => {
  const t = newTrainer();
  await writeFile(join(dir, 'checkpoint.safetensors'), encodeModelFile(CONFIG.model, t.data.vocab, t.state().params));
  expect((await rejected(loadRun(dir))).message).toMatch(/checkpoint\.safetensors is a model file, not a checkpoint: it cannot continue a run\. Fix: pass the --out folder/);
  t.dispose();
});

test("a version 3 checkpoint as the previous writer encoded it (its own key order, every run field) loads and continues bit for bit", async () => {
  const whole = newTrainer();
  const expected = Array.from({ length: CONFIG.steps }, () => whole.trainStep());
  const t = newTrainer();
  const losses = [t.trainStep(), t.trainStep()];
  const state = t.state();
  // The writer before the codec: RunMeta spread as it was, then the tensors and metadata it wrote.
  const meta = { preset: 'default', config: CONFIG, backend: 'wasm-simd', vocab: t.data.vocab.toJSON(), data: { path: 'text.txt', characters: TEXT.length }, initLoss: losses[0], initStats: null };
  const full = { format: 'wasmgrad-run', version: 3, ...meta, step: state.step, rngState: state.rngState, optimizerSteps: state.optimizer.steps };
  const tensors: Record<string, NamedTensor> = { ...state.params };
  for (const [name, x] of Object.entries(state.optimizer.tensors)) tensors['optimizer/' + name] = x;
  const metrics = losses.map((loss, step) => ({ step, loss }));
  await writeFile(join(dir, 'checkpoint.safetensors'), encodeSafetensors(tensors, { format: 'wasmgrad-run', version: '3', run: JSON.stringify(full), metrics: JSON.stringify(metrics) }));
  const run = await loadRun(dir);
  expect(run.meta).toEqual({ ...full, config: CONFIG });
  // And the CLI's run record, saved today, gives the very bytes of that writer.
  const today = join(dir, 'today');
  await mkdir(today);
  await saveRun(today, t, { run: meta as RunInfo, metrics });
  expect(Buffer.compare(await readFile(join(today, 'checkpoint.safetensors')), await readFile(join(dir, 'checkpoint.safetensors')))).toBe(0);
  expect(run.metrics).toEqual(metrics);
  const resumed = run.checkpoint.resume(be, TEXT);
  expect([...losses, ...Array.from({ length: CONFIG.steps - 2 }, () => resumed.trainStep())]).toEqual(expected);
  [whole, t, resumed].forEach((x) => x.dispose());
});
