import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WasmgradError } from '../backend/errors.js';
import type { BackendName } from '../backend/types.js';
import { Vocabulary } from '../data/vocab.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { validateConfig, type TrainConfig } from '../train/config.js';
import type { LossPoint } from '../train/loss-svg.js';
import type { ActivationStats, TrainerState } from '../train/trainer.js';
import { writeFileAtomic } from './atomic.js';

/**
 * A run directory: everything a run produced, and what `--resume` and `npm run sample` read.
 *   config.json            what the run is: preset, hyper-parameters, vocabulary, PRNG state, step
 *   model.safetensors      parameters by the model's names (m, q or w1, b1, w2, b2, …) and shapes, f32, (in, out) layout
 *   optimizer.safetensors  optimizer state (Adam's m and v per parameter; empty for SGD)
 *   metrics.jsonl          one {"step", "loss"} line per logged step
 *   summary.json, loss.svg written when the run ends
 * Every file is written atomically. The three checkpoint files each record their step, and a
 * checkpoint whose files disagree (a crash between two renames) is refused, not half-loaded.
 */
export const FILES = {
  config: 'config.json',
  model: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
  lossCurve: 'loss.svg',
} as const;

const FORMAT = 'wasmgrad-run';
/** 2: the model config is an object ({ kind, …its fields }); version 1 runs (flat model, hidden) still load. */
const VERSION = 2;

/** What describes a run, apart from its progress. */
export interface RunInfo {
  preset: string;
  config: TrainConfig;
  backend: BackendName;
  vocab: string[];
  /** The text trained on: its path as given and its length, to warn when resuming on another. */
  data: { path: string; characters: number };
  /** The first step's batch loss and the activation statistics at initialisation, once known. */
  initLoss: number | null;
  initStats: ActivationStats | null;
}

/** config.json: the run, and the step its checkpoint files hold. */
export interface RunMeta extends RunInfo {
  format: typeof FORMAT;
  version: number;
  step: number;
  rngState: number[];
  optimizerSteps: number;
}

export interface Checkpoint {
  meta: RunMeta;
  state: TrainerState;
}

export async function saveCheckpoint(dir: string, meta: RunInfo, state: TrainerState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const step = String(state.step);
  await writeFileAtomic(join(dir, FILES.model), encodeSafetensors(state.params, { format: FORMAT, model: meta.config.model.kind, step }));
  await writeFileAtomic(join(dir, FILES.optimizer), encodeSafetensors(state.optimizer.tensors, { format: FORMAT, optimizer: meta.config.optimizer, step }));
  // config.json last: it names the step the other two files must match.
  const full: RunMeta = { format: FORMAT, version: VERSION, ...meta, step: state.step, rngState: state.rngState, optimizerSteps: state.optimizer.steps };
  await writeFileAtomic(join(dir, FILES.config), JSON.stringify(full, null, 2) + '\n');
}

/** A version 1 config.json had the model flat: `model: 'mlp', hidden: 128`. */
function upgrade(meta: RunMeta): RunMeta {
  if (meta.version !== 1) return meta;
  const { model, hidden, ...rest } = meta.config as unknown as { model: string; hidden: number } & Omit<TrainConfig, 'model'>;
  return { ...meta, version: VERSION, config: { ...rest, model: model === 'mlp' ? { kind: 'mlp', hidden } : ({ kind: model } as TrainConfig['model']) } };
}

export async function loadCheckpoint(dir: string): Promise<Checkpoint> {
  const configPath = join(dir, FILES.config);
  const notARun = `Fix: pass the --out folder of an earlier \`npm run train\`.`;
  let meta: RunMeta;
  try {
    meta = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new WasmgradError(`${dir} is not a wasmgrad run directory: it has no ${FILES.config}. ${notARun}`);
    throw new WasmgradError(`${configPath} is not valid JSON (${(e as Error).message}). ${notARun}`);
  }
  if (meta?.format !== FORMAT || !(meta.version === 1 || meta.version === VERSION)) {
    throw new WasmgradError(`${configPath} is not a wasmgrad run (format ${JSON.stringify(meta?.format)}, version ${meta?.version}). ${notARun}`);
  }
  meta = upgrade(meta);
  validateConfig(meta.config);
  new Vocabulary(meta.vocab); // validates the characters
  const model = await readSafetensors(join(dir, FILES.model));
  const optimizer = await readSafetensors(join(dir, FILES.optimizer));
  for (const [file, st] of [[FILES.model, model], [FILES.optimizer, optimizer]] as const) {
    if (st.metadata.step !== String(meta.step)) {
      throw new WasmgradError(
        `${join(dir, file)} is from step ${st.metadata.step} but ${FILES.config} from step ${meta.step}: the checkpoint was interrupted while being written. ` +
          'Fix: start a new run, or restore the folder from a backup.',
      );
    }
  }
  // Names and shapes are checked against the model's declaration when the model is built from them.
  return { meta, state: { step: meta.step, rngState: meta.rngState, params: model.tensors, optimizer: { tensors: optimizer.tensors, steps: meta.optimizerSteps } } };
}

async function readSafetensors(path: string) {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw new WasmgradError(`${path} is missing: the run directory is incomplete. Fix: pass the --out folder of a run that saved a checkpoint.`);
  }
  return decodeSafetensors(bytes, path);
}

export async function writeMetrics(dir: string, points: readonly LossPoint[]): Promise<void> {
  await writeFileAtomic(join(dir, FILES.metrics), points.map((p) => JSON.stringify({ step: p.step, loss: p.loss })).join('\n') + (points.length ? '\n' : ''));
}

/** The metrics of an earlier run, to continue them when resuming (none if the file is absent). */
export async function readMetrics(dir: string, upToStep: number): Promise<LossPoint[]> {
  let text: string;
  try {
    text = await readFile(join(dir, FILES.metrics), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LossPoint)
    .filter((p) => p.step < upToStep);
}
