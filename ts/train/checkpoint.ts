import type { Backend } from '../backend/backend.js';
import { WasmgradError } from '../backend/errors.js';
import type { BackendName } from '../backend/types.js';
import { makeDataset } from '../data/dataset.js';
import { describeChar, Vocabulary } from '../data/vocab.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '../io/safetensors.js';
import { decodeModelFile } from '../nn/model-file.js';
import type { Exchange } from '../nn/model.js';
import { createModel, describeModel, modelDefinition, MODELS, tensorDifferences, type Model, type ModelConfig, type NamedValues } from '../nn/registry.js';
import { optimizerStateShapes } from '../optim/optimizer.js';
import { Rng } from '../util/rng.js';
import { validateConfig, type TrainConfig } from './config.js';
import type { LossPoint } from './loss-svg.js';
import { Trainer, type ActivationStats, type TrainerState } from './trainer.js';

/**
 * A checkpoint as bytes, for any runtime (a page's download or IndexedDB, a Node file): one
 * safetensors file with the parameters under the model's names, the optimizer's tensors under
 * "optimizer/<name>", and in `__metadata__` everything else a run needs to continue bit for bit:
 *   format "wasmgrad-run", version "3"
 *   run      JSON: the config, the vocabulary, the step, the PRNG state, the optimizer's step count,
 *            and what is known about the run (preset, backend, the text's path and length, ...)
 *   metrics  JSON: the losses logged so far
 * A run directory's checkpoint.safetensors (ts/node/run-dir.ts) is exactly this file.
 */
export const CHECKPOINT_FORMAT = 'wasmgrad-run';
/** 3: one file. (Versions 1 and 2 were three files of a run directory, which ts/node/run-dir.ts still reads.) */
export const CHECKPOINT_VERSION = 3;
const FORMAT = CHECKPOINT_FORMAT;
const VERSION = CHECKPOINT_VERSION;
/** Optimizer tensors in the checkpoint; no parameter name has a slash (createModel refuses one). */
const OPTIMIZER_PREFIX = 'optimizer/';
/** ts/nn/model-file.ts's format: the model alone. */
const MODEL_FORMAT = 'wasmgrad-model';

/** What a checkpoint records about its run besides the trainer's state; all optional. */
export interface RunDetails {
  /** The preset the run started from. */
  preset?: string;
  /** The backend it trained on (saveCheckpoint records the trainer's). */
  backend?: BackendName;
  /** The text it trained on: where it came from, and its length in characters (saveCheckpoint records the trainer's). */
  data?: { path?: string; characters?: number };
  /** The first step's batch loss and the activation statistics at initialisation. */
  initLoss?: number | null;
  initStats?: ActivationStats | null;
}

/** What saveCheckpoint stores besides the trainer's state. */
export interface SaveCheckpointOptions {
  run?: RunDetails;
  /** The losses logged so far (the run's metrics). */
  metrics?: readonly LossPoint[];
}

/** The metadata's "run" JSON. */
interface RunRecord extends RunDetails {
  format: typeof FORMAT;
  version: number;
  config: TrainConfig;
  vocab: string[];
  step: number;
  rngState: number[];
  optimizerSteps: number;
}

/**
 * The whole state of `trainer` after its current step as one safetensors file: what
 * `loadCheckpoint(bytes).resume(backend, text)` continues bit-identically. Saving does not touch the trainer.
 */
export function saveCheckpoint(trainer: Trainer, options: SaveCheckpointOptions = {}): Uint8Array {
  const state = trainer.state();
  const run: RunDetails = { ...options.run, backend: options.run?.backend ?? trainer.backend.name, data: { ...options.run?.data, characters: trainer.data.tokens.length } };
  // Only the fields known, in the order the run directory has always written them (the same bytes as before the codec).
  const known = <K extends keyof RunDetails>(key: K) => (run[key] === undefined ? {} : { [key]: run[key] });
  const record: RunRecord = {
    format: FORMAT, version: VERSION, ...known('preset'), config: trainer.config, ...known('backend'), vocab: trainer.data.vocab.toJSON(),
    ...known('data'), ...known('initLoss'), ...known('initStats'), step: state.step, rngState: state.rngState, optimizerSteps: state.optimizer.steps,
  };
  const tensors: Record<string, NamedTensor> = { ...state.params };
  for (const [name, t] of Object.entries(state.optimizer.tensors)) tensors[OPTIMIZER_PREFIX + name] = t;
  return encodeSafetensors(tensors, { format: FORMAT, version: String(VERSION), run: JSON.stringify(record), metrics: JSON.stringify(options.metrics ?? []) });
}

/**
 * What loadCheckpoint read, checked against the model its config describes: a training checkpoint
 * (`kind: 'checkpoint'`, saveCheckpoint's bytes or a run's checkpoint.safetensors), which can continue
 * its run, or a model file (`kind: 'model'`, a run's model.safetensors or a converted nanoGPT
 * checkpoint), which holds the model alone: it samples, or starts a new run from its parameters.
 */
export class Checkpoint {
  private constructor(
    readonly kind: 'checkpoint' | 'model',
    /** Where the bytes came from, as loadCheckpoint was told: messages name it. */
    readonly source: string,
    /** The model's config (for a checkpoint, config.model). */
    readonly model: ModelConfig,
    readonly vocab: Vocabulary,
    /** The model's parameters by name, exactly the ones `model` declares. */
    readonly params: NamedValues,
    /** The training config; null for a model file. */
    readonly config: TrainConfig | null,
    /** Step, PRNG and optimizer state; null for a model file. */
    readonly state: TrainerState | null,
    readonly run: RunDetails,
    /** The losses logged before the checkpoint's step. */
    readonly metrics: LossPoint[],
    /** What loading converted or dropped (a model file's nanoGPT names), one line each. */
    readonly notes: string[],
  ) {}

  /** Steps the checkpoint's run had done; null for a model file. */
  get step(): number | null {
    return this.state?.step ?? null;
  }

  /** The model on `backend`, with the saved parameters: pass it to `generate` to sample. */
  createModel(backend: Backend): Model {
    return createModel(backend, this.model, this.vocab.size, { values: this.params });
  }

  /**
   * A Trainer that continues the run where it was saved, bit for bit as if it had never stopped,
   * on `text`, the text it trained on (checked: the same characters and length). `steps` raises the
   * run's total (config.steps) to train further than it was set to. A run saved past its total
   * (trainStep trains on at the schedule's last learning rate) resumes as it was saved.
   */
  resume(backend: Backend, text: string, options: { steps?: number } = {}): Trainer {
    if (this.state === null || this.config === null) {
      throw new WasmgradError(
        `${this.source} is a model file: it holds the model's parameters and vocabulary, but no training config, optimizer state, PRNG state or step, so it cannot continue a run. ` +
          'Fix: continue from a checkpoint (the bytes of saveCheckpoint, or a run\'s checkpoint.safetensors), or start a new run from these parameters with newRun(backend, text, config).',
      );
    }
    const config = options.steps === undefined ? this.config : validateConfig({ ...this.config, steps: options.steps });
    if (options.steps !== undefined && config.steps < this.state.step) {
      throw new WasmgradError(`steps ${config.steps} is fewer than the ${this.state.step} steps ${this.source} has already done. Fix: pass steps of at least ${this.state.step}.`);
    }
    const data = makeDataset(text, { valFraction: config.valFraction });
    const fix = `Fix: pass the text the run trained on${this.run.data?.path ? ` (${this.run.data.path})` : ''}, or start a new run from these parameters on this text with newRun(backend, text).`;
    const differs = vocabularyDifference(this.vocab, data.vocab);
    if (differs) throw new WasmgradError(`the text does not give the vocabulary ${this.source} was trained with: ${differs}. ${fix}`);
    const characters = this.run.data?.characters;
    if (characters !== undefined && characters !== data.tokens.length) {
      throw new WasmgradError(`the text has ${data.tokens.length} characters but ${this.source} was trained on a text of ${characters}: its batches would differ. ${fix}`);
    }
    return new Trainer(backend, data, config, this.state);
  }

  /**
   * A Trainer for a new run (step 0, a fresh optimizer) that starts from these parameters, on `text`
   * (every character of it must be in the vocabulary). `config` defaults to a checkpoint's own; its
   * model, if given, must be this one.
   */
  newRun(backend: Backend, text: string, config?: Omit<TrainConfig, 'model'> & { model?: ModelConfig }): Trainer {
    const base = config ?? this.config;
    if (!base) throw new WasmgradError(`${this.source} is a model file, which holds no training config. Fix: pass one: newRun(backend, text, { ...PRESETS.default.config, ... }) (its model is the file's).`);
    if (base.model !== undefined && JSON.stringify(validateConfig({ ...base, model: base.model } as TrainConfig).model) !== JSON.stringify(this.model)) {
      throw new WasmgradError(`config.model is ${describeModel(base.model)} but ${this.source} holds a ${describeModel(this.model)}. Fix: leave config.model out (the saved model is used) or set it to ${JSON.stringify(this.model)}.`);
    }
    const full = validateConfig({ ...base, model: this.model });
    return new Trainer(backend, makeDataset(text, { valFraction: full.valFraction, vocab: this.vocab }), full, { params: this.params });
  }

  /** A checked training checkpoint from its run record and tensors (loadCheckpoint, and run directories of older layouts). */
  static fromRun(source: string, record: unknown, params: NamedValues, optimizer: NamedValues, metrics: unknown): Checkpoint {
    const r = checkedRecord(source, record);
    const vocab = new Vocabulary(r.vocab);
    const specs = modelDefinition(r.config.model.kind).parameters(r.config.model, vocab.size);
    const differences = [
      ...tensorDifferences(specs, params, 'parameter', `a ${describeModel(r.config.model)} over ${vocab.size} characters`),
      ...tensorDifferences(
        optimizerStateShapes(r.config.optimizer, specs).map((t) => ({ ...t, name: OPTIMIZER_PREFIX + t.name })),
        Object.fromEntries(Object.entries(optimizer).map(([name, t]) => [OPTIMIZER_PREFIX + name, t])),
        'optimizer tensor',
        `the ${r.config.optimizer} optimizer`,
      ),
    ];
    if (differences.length > 0) throw mismatch(source, differences);
    if (!Array.isArray(metrics) || !metrics.every((p) => typeof p?.step === 'number' && typeof p?.loss === 'number')) {
      throw new WasmgradError(`${source}: its metadata "metrics" is not a list of { step, loss } points. Fix: use an intact checkpoint.`);
    }
    const { preset, backend, data, initLoss, initStats } = r;
    const run: RunDetails = JSON.parse(JSON.stringify({ preset, backend, data, initLoss, initStats })); // only the fields present
    const state: TrainerState = { step: r.step, rngState: r.rngState, params, optimizer: { tensors: optimizer, steps: r.optimizerSteps } };
    return new Checkpoint('checkpoint', source, r.config.model, vocab, params, r.config, state, run, (metrics as LossPoint[]).filter((p) => p.step < r.step), []);
  }

  /** A checked model file (ts/nn/model-file.ts). */
  static fromModelFile(bytes: Uint8Array, source: string): Checkpoint {
    const file = decodeModelFile(bytes, source);
    const specs = modelDefinition(file.config.kind).parameters(file.config, file.vocab.size);
    const differences = tensorDifferences(specs, file.values, 'parameter', `a ${describeModel(file.config)} over ${file.vocab.size} characters`);
    if (differences.length > 0) throw mismatch(source, differences);
    return new Checkpoint('model', source, file.config, file.vocab, file.values, null, null, {}, [], file.notes);
  }
}

/**
 * Reads saveCheckpoint's bytes (or a run's checkpoint.safetensors), or a model file (a run's
 * model.safetensors, a converted nanoGPT checkpoint), and checks every tensor's name, shape and
 * dtype against the model its config describes. `source` names the bytes in messages (a file name).
 */
export function loadCheckpoint(bytes: Uint8Array | ArrayBuffer, source = 'the checkpoint'): Checkpoint {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) {
    throw new WasmgradError(`loadCheckpoint takes the file's bytes (a Uint8Array or an ArrayBuffer), not ${bytes === null ? 'null' : typeof bytes}. Fix: pass e.g. new Uint8Array(await file.arrayBuffer()) or fs.readFileSync(path).`);
  }
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  const format = metadata.format;
  if (format === FORMAT) {
    if (metadata.version !== String(VERSION) || typeof metadata.run !== 'string') {
      throw new WasmgradError(
        `${source} is a wasmgrad checkpoint of version ${JSON.stringify(metadata.version)}, but this wasmgrad reads version ${VERSION}` +
          `${typeof metadata.run !== 'string' ? ' (and its metadata has no "run")' : ''}. Fix: load it with the wasmgrad that wrote it, or train again.`,
      );
    }
    const record = parseJson(source, metadata, 'run');
    const metrics = 'metrics' in metadata ? parseJson(source, metadata, 'metrics') : [];
    const params: NamedValues = {};
    const optimizer: NamedValues = {};
    for (const [name, t] of Object.entries(tensors)) {
      if (name.startsWith(OPTIMIZER_PREFIX)) optimizer[name.slice(OPTIMIZER_PREFIX.length)] = t;
      else params[name] = t;
    }
    return Checkpoint.fromRun(source, record, params, optimizer, metrics);
  }
  // A model file: wasmgrad's, or converted from nanoGPT (its "model_args", without our format key).
  if (format === MODEL_FORMAT || 'config' in metadata || EXCHANGE_KEYS.some((k) => k in metadata)) return Checkpoint.fromModelFile(bytes, source);
  const names = Object.keys(tensors);
  const keys = Object.keys(metadata);
  throw new WasmgradError(
    `${source} is a safetensors file, but not one wasmgrad wrote: its metadata has ${format === undefined ? 'no "format"' : `format ${JSON.stringify(format)}`} ` +
      `(${keys.length === 0 ? 'no metadata at all' : `metadata keys ${keys.map((k) => JSON.stringify(k)).join(', ')}`}; ${names.length} tensors${names.length > 0 ? `, such as '${names.slice(0, 3).join("', '")}'` : ''}). ` +
      'Fix: pass the bytes of saveCheckpoint, a run\'s checkpoint.safetensors or model.safetensors, or a nanoGPT checkpoint converted by scripts/pytorch/from_nanogpt.py.',
  );
}

/** The metadata keys under which model kinds keep another framework's config (nanoGPT's "model_args"). */
const EXCHANGE_KEYS: string[] = Object.values(MODELS).flatMap((m) => {
  const exchange = (m as { exchange?: Exchange<ModelConfig> }).exchange;
  return exchange ? [exchange.argsKey] : [];
});

function parseJson(source: string, metadata: Record<string, string>, key: string): unknown {
  try {
    return JSON.parse(metadata[key]);
  } catch (e) {
    throw new WasmgradError(`${source} has metadata "${key}" that is not valid JSON (${(e as Error).message}): it was changed by hand or by another program. Fix: use an intact checkpoint.`);
  }
}

/** The run record's fields, each checked: a message names the field and what it must be. */
function checkedRecord(source: string, record: unknown): RunRecord {
  const fail = (problem: string): never => {
    throw new WasmgradError(`${source}: its metadata "run" ${problem}. Fix: use an intact checkpoint, or train again.`);
  };
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return fail('is not a JSON object');
  const r = record as RunRecord;
  if (typeof r.config !== 'object' || r.config === null) fail('has no "config" object');
  try {
    validateConfig(r.config);
  } catch (e) {
    fail(`holds a config that is not valid: ${withoutFix(e)}`);
  }
  try {
    new Vocabulary(r.vocab);
  } catch (e) {
    fail(`holds a vocabulary that is not valid: ${withoutFix(e)}`);
  }
  if (!Number.isSafeInteger(r.step) || r.step < 0) fail(`has step ${JSON.stringify(r.step)}, not a count of steps`);
  if (!Number.isSafeInteger(r.optimizerSteps) || r.optimizerSteps < 0) fail(`has optimizerSteps ${JSON.stringify(r.optimizerSteps)}, not a count of steps`);
  try {
    Rng.fromState(Array.isArray(r.rngState) ? r.rngState : []);
  } catch {
    fail(`has rngState ${JSON.stringify(r.rngState)}, not four uint32 words (not all zero)`);
  }
  return r;
}

/** An inner error's problem without its fix, which the message around it replaces. */
const withoutFix = (e: unknown) => (e as Error).message.replace(/\.? Fix: .*$/s, '');

function mismatch(source: string, differences: string[]): WasmgradError {
  return new WasmgradError(
    `${source} does not hold the tensors its config describes (${differences.length} difference${differences.length === 1 ? '' : 's'}): ${differences.join('; ')}. ` +
      'Fix: load a checkpoint that wasmgrad wrote and nobody changed; a model file converted from another framework must have its names and shapes (scripts/pytorch/from_nanogpt.py).',
  );
}

/** How two vocabularies differ, in words, or null when they are the same. */
function vocabularyDifference(saved: Vocabulary, text: Vocabulary): string | null {
  if (saved.equals(text)) return null;
  const list = (chars: string[]) => chars.slice(0, 5).map(describeChar).join(', ') + (chars.length > 5 ? ` and ${chars.length - 5} more` : '');
  const missing = saved.chars.filter((c) => !text.chars.includes(c));
  const extra = text.chars.filter((c) => !saved.chars.includes(c));
  const parts = [`the checkpoint has ${saved.size} characters, the text ${text.size}`];
  if (missing.length > 0) parts.push(`the text lacks ${list(missing)}`);
  if (extra.length > 0) parts.push(`the text has ${list(extra)}, which the checkpoint does not`);
  return parts.join('; ');
}
