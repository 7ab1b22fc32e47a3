import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { WasmgradError } from '../backend/errors.js';
import type { BackendName } from '../backend/types.js';
import { decodeSafetensors } from '../io/safetensors.js';
import { encodeModelFile } from '../nn/model-file.js';
import type { NamedValues } from '../nn/registry.js';
import { Checkpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, loadCheckpoint, saveCheckpoint, type RunDetails } from '../train/checkpoint.js';
import type { TrainConfig } from '../train/config.js';
import type { LossPoint } from '../train/loss-svg.js';
import type { ActivationStats, Trainer, TrainerState } from '../train/trainer.js';
import { isTemporaryOf, writeFileAtomic } from './atomic.js';
import { DEFAULT_DATA } from './load-text.js';

/**
 * A run directory: everything a run produced, and what `--resume` and `npm run sample` read.
 *   checkpoint.safetensors  the whole state at one step, in one file: saveCheckpoint's bytes
 *                           (ts/train/checkpoint.ts): parameters by the model's names and shapes, the
 *                           optimizer's state under "optimizer/<name>", and in its metadata the run
 *                           (config, vocabulary, PRNG state, step, the losses so far)
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

/** 3: one checkpoint file (ts/train/checkpoint.ts). 2: three files, the model config an object. 1: three files, the model config flat. */
const FORMAT = CHECKPOINT_FORMAT;
const VERSION = CHECKPOINT_VERSION;

/** What describes a run, apart from its progress (what the CLI records). */
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

/** A run directory's newest checkpoint, as loadRun read it. */
export interface Run {
  /** The checkpoint itself: `run.checkpoint.resume(backend, text)` continues it, `createModel(backend)` samples it. */
  checkpoint: Checkpoint;
  /** Its record, with what a checkpoint saved outside a run directory may not say filled in (preset "custom", the default text). */
  meta: RunMeta;
  state: TrainerState;
  /** The logged losses of the steps before the checkpoint's. */
  metrics: LossPoint[];
  /** What loading found and did (temporary files removed, an older layout read), one line each. */
  notes: string[];
}

export interface SaveRunOptions {
  /** What is known about the run (preset, text path, initial loss ...), kept in the checkpoint. */
  run?: RunDetails;
  /** The losses logged so far: kept in the checkpoint and copied to metrics.jsonl. */
  metrics?: readonly LossPoint[];
  /** Aborted before a file is renamed into place, that file is left as it was. */
  signal?: AbortSignal;
}

/**
 * Writes the checkpoint of `trainer` into `dir` (which must exist) as one file (saveCheckpoint's
 * bytes), then the model file and the metrics copy. A failed or aborted write leaves the previous
 * checkpoint as it was and says so; saving does not touch the trainer, so the run can be saved elsewhere.
 */
export async function saveRun(dir: string, trainer: Trainer, options: SaveRunOptions = {}): Promise<void> {
  const { metrics = [], signal } = options;
  const bytes = saveCheckpoint(trainer, { run: options.run, metrics });
  await writeOrExplain(dir, FILES.checkpoint, bytes, 'the checkpoint already there is unchanged', signal);
  // The checkpoint is committed; an older layout's files are now stale (a crash here leaves them, and
  // the next load prefers the checkpoint and removes them).
  await removeLegacy(dir);
  // Views of the parameters where they live: encoding copies them before anything can move them.
  const params: NamedValues = Object.fromEntries(trainer.model.params.map((p) => [p.name, { shape: p.shape, data: p.value.f32() }]));
  const model = encodeModelFile(trainer.config.model, trainer.data.vocab, params);
  await writeOrExplain(dir, FILES.model, model, 'the checkpoint was saved; only this copy of the model is missing', signal);
  await writeOrExplain(dir, FILES.metrics, metricsJsonl(metrics), 'the checkpoint was saved; only this copy of the losses is missing', signal);
}

async function writeOrExplain(dir: string, file: string, data: string | Uint8Array, consequence: string, signal: AbortSignal | undefined): Promise<void> {
  try {
    await writeFileAtomic(join(dir, file), data, { signal });
  } catch (e) {
    if (signal?.aborted) throw new WasmgradError(`saving ${file} in ${dir} was aborted (${String(signal.reason?.message ?? signal.reason)}); ${consequence}. Fix: save again when the run should be kept.`);
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
export async function loadRun(dir: string, options: { recover?: boolean } = {}): Promise<Run> {
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

async function readCheckpointFile(path: string, notARun: string): Promise<Omit<Run, 'notes'>> {
  const checkpoint = loadCheckpoint(await readFile(path), path);
  if (checkpoint.kind === 'model') throw new WasmgradError(`${path} is a model file, not a checkpoint: it cannot continue a run. ${notARun}`);
  return fromCheckpoint(checkpoint);
}

/** A run as the CLI reads it: the checkpoint's record, with defaults for what a checkpoint saved elsewhere may not say. */
function fromCheckpoint(checkpoint: Checkpoint): Omit<Run, 'notes'> {
  const state = checkpoint.state!;
  const { run } = checkpoint;
  const meta: RunMeta = {
    format: FORMAT, version: VERSION,
    preset: run.preset ?? 'custom', config: checkpoint.config!, backend: run.backend ?? 'wasm-simd', vocab: checkpoint.vocab.toJSON(),
    data: { path: run.data?.path ?? DEFAULT_DATA, characters: run.data?.characters ?? 0 }, initLoss: run.initLoss ?? null, initStats: run.initStats ?? null,
    step: state.step, rngState: state.rngState, optimizerSteps: state.optimizer.steps,
  };
  return { checkpoint, meta, state, metrics: checkpoint.metrics };
}

/** Version 1 and 2 directories: three files, each recording its step; a mix of two steps is refused. */
async function readLegacy(dir: string, notARun: string): Promise<Omit<Run, 'notes'>> {
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
  return fromCheckpoint(Checkpoint.fromRun(configPath, meta, model.tensors, optimizer.tensors, await readLegacyMetrics(dir)));
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
