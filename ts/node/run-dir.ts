import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WasmgradError } from '../backend/errors.js';
import type { BackendName } from '../backend/types.js';
import { Vocabulary } from '../data/vocab.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../io/safetensors.js';
import { encodeModelFile } from '../nn/model-file.js';
import { validateConfig, type TrainConfig } from '../train/config.js';
import type { LossPoint } from '../train/loss-svg.js';
import type { ActivationStats, TrainerState } from '../train/trainer.js';
import { isTemporaryOf, writeFileAtomic } from './atomic.js';

/**
 * A run directory: everything a run produced, and what `--resume` and `npm run sample` read.
 *   checkpoint.safetensors  the whole state at one step, in one file: parameters by the model's names
 *                           and shapes (f32, (in, out) layout), the optimizer's state under
 *                           "optimizer/<name>", and in its metadata the run (config, vocabulary, PRNG
 *                           state, step, the losses so far)
 *   model.safetensors       the model alone at that step (ts/nn/model-file.ts): for a gpt, nanoGPT's
 *                           state_dict, which PyTorch loads as it is
 *   metrics.jsonl           one {"step", "loss"} line per logged step, with "train" and "val" where
 *                           the run evaluated (a copy of the checkpoint's)
 *   summary.json, loss.svg  written when the run ends
 * The checkpoint is one file renamed into place (writeFileAtomic): a crash at any instant leaves the
 * old checkpoint or the new one, never a mix, and at most a temporary file, which the next start
 * removes. Runs of earlier versions (config.json + model.safetensors + optimizer.safetensors) still load.
 */
/** Where the train command writes a run (runs/<preset>-<time>/) unless --out says otherwise, relative to the current folder. */
export const RUNS_DIR = 'runs';

export const FILES = {
  checkpoint: 'checkpoint.safetensors',
  model: 'model.safetensors',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
  lossCurve: 'loss.svg',
} as const;

/** The three files of version 1 and 2 run directories, read but no longer written. */
const LEGACY = { config: 'config.json', model: 'model.safetensors', optimizer: 'optimizer.safetensors' } as const;

const FORMAT = 'wasmgrad-run';
/** 3: one checkpoint file. 2: three files, the model config an object. 1: three files, the model config flat. */
const VERSION = 3;
/** Optimizer tensors in the checkpoint; no parameter name has a slash. */
const OPTIMIZER_PREFIX = 'optimizer/';

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

/** The checkpoint's metadata: the run, and the step its tensors hold. */
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
  /** The logged losses of the steps before the checkpoint's. */
  metrics: LossPoint[];
  /** What loading found and did (temporary files removed, an older layout read), one line each. */
  notes: string[];
}

/**
 * Writes the checkpoint of `state` into `dir` (which must exist) as one file, then the metrics copy.
 * A failed write (disk full, a read-only or vanished folder) leaves the previous checkpoint as it was
 * and says so; the trainer's state is not touched by saving, so the run can be saved elsewhere.
 */
export async function saveCheckpoint(dir: string, meta: RunInfo, state: TrainerState, metrics: readonly LossPoint[]): Promise<void> {
  const full: RunMeta = { format: FORMAT, version: VERSION, ...meta, step: state.step, rngState: state.rngState, optimizerSteps: state.optimizer.steps };
  const tensors: Record<string, NamedTensor> = { ...state.params };
  for (const [name, t] of Object.entries(state.optimizer.tensors)) tensors[OPTIMIZER_PREFIX + name] = t;
  const bytes = encodeSafetensors(tensors, { format: FORMAT, version: String(VERSION), run: JSON.stringify(full), metrics: JSON.stringify(metrics) });
  await writeOrExplain(dir, FILES.checkpoint, bytes, 'the checkpoint already there is unchanged');
  // The checkpoint is committed; an older layout's files are now stale (a crash here leaves them, and
  // the next load prefers the checkpoint and removes them).
  await removeLegacy(dir);
  const model = encodeModelFile(meta.config.model, new Vocabulary(meta.vocab), state.params);
  await writeOrExplain(dir, FILES.model, model, 'the checkpoint was saved; only this copy of the model is missing');
  await writeOrExplain(dir, FILES.metrics, metricsJsonl(metrics), 'the checkpoint was saved; only this copy of the losses is missing');
}

async function writeOrExplain(dir: string, file: string, data: string | Uint8Array, consequence: string): Promise<void> {
  try {
    await writeFileAtomic(join(dir, file), data);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const cause = { ENOSPC: 'the disk is full', EDQUOT: 'the disk quota is used up', EROFS: 'the folder is on a read-only file system', EACCES: 'the folder is not writable', EPERM: 'the folder is not writable', ENOENT: 'the folder no longer exists', EFBIG: 'the file is larger than allowed (ulimit -f)' }[err.code ?? ''];
    throw new WasmgradError(
      `could not write ${file} in ${dir}: ${cause ?? err.message} (${err.code ?? 'error'}); ${consequence}. ` +
        `Fix: make room or restore the folder, then continue with \`npm run train -- --resume ${dir}\`, or save elsewhere with --resume ${dir} --out <another folder>.`,
    );
  }
}

export function metricsJsonl(points: readonly LossPoint[]): string {
  return points.map((p) => JSON.stringify({ step: p.step, loss: p.loss, ...(p.train === undefined ? {} : { train: p.train, val: p.val }) })).join('\n') + (points.length ? '\n' : '');
}

/**
 * The newest complete checkpoint in `dir`. A crash cannot damage a committed file, so a damaged one
 * is refused with the reason. With `recover` (resuming: the caller now owns the folder) what an
 * interrupted save left is removed: temporary files, an older layout's files the checkpoint replaced.
 * Without it (sampling, perhaps beside a run still writing) nothing is touched.
 */
export async function loadCheckpoint(dir: string, options: { recover?: boolean } = {}): Promise<Checkpoint> {
  const recover = options.recover ?? false;
  const notARun = `Fix: pass the --out folder of an earlier \`npm run train\`.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new WasmgradError(`${dir} is not a wasmgrad run directory: it does not exist or cannot be read. ${notARun}`);
  }
  const notes: string[] = [];
  const strays = names.filter((n) => [...Object.values(FILES), ...Object.values(LEGACY)].some((f) => isTemporaryOf(n, f)));
  if (recover) {
    for (const n of strays) await rm(join(dir, n), { force: true });
    if (strays.length > 0) notes.push(`removed ${strays.length === 1 ? 'a temporary file' : `${strays.length} temporary files`} an interrupted save left (${strays.join(', ')})`);
  }

  if (names.includes(FILES.checkpoint)) {
    const checkpoint = await readCheckpointFile(join(dir, FILES.checkpoint), notARun);
    const stale = names.includes(LEGACY.config) ? Object.values(LEGACY).filter((f) => names.includes(f)) : [];
    if (recover && stale.length > 0) {
      await removeLegacy(dir);
      notes.push(`removed the older layout's ${stale.join(', ')}, which the checkpoint replaced`);
    }
    return { ...checkpoint, notes };
  }
  if (names.includes(LEGACY.config)) return { ...(await readLegacy(dir, notARun)), notes: [...notes, `read the older layout (${Object.values(LEGACY).join(', ')}); the next save writes ${FILES.checkpoint}`] };
  if (strays.length > 0) {
    const left = notes[0] ?? `it holds only ${strays.join(', ')}`;
    throw new WasmgradError(`${dir} has no complete checkpoint: the run was interrupted before its first save (${left}). Fix: start the run again with the same settings.`);
  }
  throw new WasmgradError(`${dir} is not a wasmgrad run directory: it has no ${FILES.checkpoint}. ${notARun}`);
}

async function readCheckpointFile(path: string, notARun: string): Promise<Omit<Checkpoint, 'notes'>> {
  const st = decodeSafetensors(await readFile(path), path);
  if (st.metadata.format !== FORMAT || st.metadata.version !== String(VERSION) || typeof st.metadata.run !== 'string') {
    throw new WasmgradError(`${path} is not a wasmgrad checkpoint (format ${JSON.stringify(st.metadata.format)}, version ${JSON.stringify(st.metadata.version)}). ${notARun}`);
  }
  let meta: RunMeta;
  let metrics: LossPoint[];
  try {
    meta = JSON.parse(st.metadata.run);
    metrics = JSON.parse(st.metadata.metrics ?? '[]');
  } catch (e) {
    throw new WasmgradError(`${path} has metadata that is not valid JSON (${(e as Error).message}): it was changed by hand or by another program. ${notARun}`);
  }
  const params: Record<string, NamedTensor> = {};
  const optimizer: Record<string, NamedTensor> = {};
  for (const [name, t] of Object.entries(st.tensors)) {
    if (name.startsWith(OPTIMIZER_PREFIX)) optimizer[name.slice(OPTIMIZER_PREFIX.length)] = t;
    else params[name] = t;
  }
  return checked(meta, params, optimizer, metrics);
}

/** A run's description and tensors, checked; the tensors' names and shapes are checked when the model is built. */
function checked(meta: RunMeta, params: Record<string, NamedTensor>, optimizer: Record<string, NamedTensor>, metrics: LossPoint[]): Omit<Checkpoint, 'notes'> {
  validateConfig(meta.config);
  new Vocabulary(meta.vocab); // validates the characters
  const state: TrainerState = { step: meta.step, rngState: meta.rngState, params, optimizer: { tensors: optimizer, steps: meta.optimizerSteps } };
  return { meta, state, metrics: metrics.filter((p) => p.step < meta.step) };
}

/** Version 1 and 2 directories: three files, each recording its step; a mix of two steps is refused. */
async function readLegacy(dir: string, notARun: string): Promise<Omit<Checkpoint, 'notes'>> {
  const configPath = join(dir, LEGACY.config);
  let meta: RunMeta;
  try {
    meta = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (e) {
    throw new WasmgradError(`${configPath} is not valid JSON (${(e as Error).message}). ${notARun}`);
  }
  if (meta?.format !== FORMAT || !(meta.version === 1 || meta.version === 2)) {
    throw new WasmgradError(`${configPath} is not a wasmgrad run (format ${JSON.stringify(meta?.format)}, version ${meta?.version}). ${notARun}`);
  }
  if (meta.version === 1) {
    // The model config was flat: `model: 'mlp', hidden: 128`.
    const { model, hidden, ...rest } = meta.config as unknown as { model: string; hidden: number } & Omit<TrainConfig, 'model'>;
    meta = { ...meta, config: { model: model === 'mlp' ? { kind: 'mlp', hidden } : ({ kind: model } as TrainConfig['model']), ...rest } };
  }
  meta = { ...meta, version: VERSION };
  const model = await readSafetensors(join(dir, LEGACY.model));
  const optimizer = await readSafetensors(join(dir, LEGACY.optimizer));
  for (const [file, st] of [[LEGACY.model, model], [LEGACY.optimizer, optimizer]] as const) {
    if (st.metadata.step !== String(meta.step)) {
      throw new WasmgradError(
        `${join(dir, file)} is from step ${st.metadata.step} but ${LEGACY.config} from step ${meta.step}: an earlier wasmgrad was interrupted between the files of its three-file checkpoint, ` +
          'and no complete step is left. Fix: start a new run, or restore the folder from a backup.',
      );
    }
  }
  return checked(meta, model.tensors, optimizer.tensors, await readLegacyMetrics(dir));
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

async function readLegacyMetrics(dir: string): Promise<LossPoint[]> {
  let text: string;
  try {
    text = await readFile(join(dir, FILES.metrics), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as LossPoint);
}

/** An older layout's files, when its config.json says it is one: model.safetensors is also today's name. */
async function removeLegacy(dir: string): Promise<void> {
  if (!(await readdir(dir)).includes(LEGACY.config)) return;
  for (const f of Object.values(LEGACY)) await rm(join(dir, f), { force: true });
}
