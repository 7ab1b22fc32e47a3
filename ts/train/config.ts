import { WasmgradError } from '../backend/errors.js';
import { validateFields, type Field } from '../config/fields.js';
import { INIT_NAMES, type InitName } from '../nn/init.js';
import { MODEL_KIND_FIELD, MODELS, validateModelConfig, type ModelConfig } from '../nn/registry.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../optim/optimizer.js';

export type Schedule = 'constant' | 'cosine';
export const SCHEDULES: readonly Schedule[] = ['constant', 'cosine'];

/** Everything that determines a training run (with the data and the backend). */
export interface TrainConfig {
  /** The model: its kind and that kind's own fields (see ts/nn/registry.ts). */
  model: ModelConfig;
  init: InitName;
  optimizer: OptimizerName;
  lr: number;
  /** Learning-rate schedule over `steps`: constant (the notebook's) or cosine decay to 0. */
  schedule: Schedule;
  /** Windows per step, or 'full' for full-batch gradient descent over every training position. */
  batch: number | 'full';
  /**
   * Windows per forward pass, a divisor of batch (nanoGPT's gradient accumulation): the step's
   * gradient is the batch's, summed over passes, in a pass's memory (default 0: the whole batch).
   */
  microBatch?: number;
  steps: number;
  seed: number;
  /** Fraction of the text held out as a contiguous validation tail (0: none). */
  valFraction: number;
  /** Record the loss every this many steps (and at the first and last step). */
  logEvery: number;
  /** Adam's and AdamW's β2 (default 0.999, torch's; nanoGPT's recipes use 0.99). */
  beta2?: number;
  /** AdamW's decoupled weight decay, on weights and embeddings only (default 0). */
  weightDecay?: number;
  /** Clip the global gradient norm to this (nanoGPT's grad_clip; default 0: no clipping). */
  gradClip?: number;
  /** Cosine schedule: steps of linear warm-up first (default 0). */
  warmup?: number;
  /** Cosine schedule: the learning rate it decays to (default 0). */
  minLr?: number;
  /** Estimate the training and validation losses every this many steps (nanoGPT's eval_interval; default 0: at the end only). */
  evalEvery?: number;
  /**
   * Estimate losses on this many random batches of `batch` windows each (nanoGPT's eval_iters) rather
   * than over every window (default 0: every window, exact; slow for a GPT on a large text).
   */
  evalBatches?: number;
}

const field = (key: keyof TrainConfig, flag: string, label: string, help: string, value: Field['value'], fallback?: unknown): Field => ({
  key, path: `config.${key}`, flag, label, help, value, ...(fallback === undefined ? {} : { default: fallback }),
});

/** The training fields (the model's own are in its definition): one table for checks, flags and the form. */
export const TRAIN_FIELDS: readonly Field[] = [
  field('init', 'init', 'init', 'how parameters start', { type: 'choice', choices: INIT_NAMES }),
  field('optimizer', 'optimizer', 'optimizer', 'the update rule', { type: 'choice', choices: OPTIMIZER_NAMES }),
  field('lr', 'lr', 'learning rate', 'learning rate', { type: 'number', greaterThan: 0 }),
  field('schedule', 'schedule', 'schedule', 'learning-rate schedule', { type: 'choice', choices: SCHEDULES }),
  field('batch', 'batch', 'batch', "windows per step, or 'full' for full-batch gradient descent", { type: 'int-or-full' }),
  field('microBatch', 'micro-batch', 'micro-batch', 'windows per forward pass (gradient accumulation): a divisor of the batch (0 = the whole batch)', { type: 'int', min: 0 }, 0),
  field('steps', 'steps', 'steps', 'total optimisation steps (when resuming: the new total)', { type: 'int', min: 1 }),
  field('seed', 'seed', 'seed', 'PRNG seed for initialisation and batches', { type: 'int', min: 0, max: 0xffffffff }),
  field('valFraction', 'val', 'validation', 'fraction of the text held out for validation, a contiguous tail (0 = none)', { type: 'number', min: 0, max: 0.5 }),
  field('logEvery', 'log-every', 'log every', 'record the loss every N steps', { type: 'int', min: 1 }),
  field('beta2', 'beta2', 'β2', "Adam's and AdamW's second-moment decay", { type: 'number', greaterThan: 0, max: 0.999999 }, 0.999),
  field('weightDecay', 'weight-decay', 'weight decay', "AdamW's decoupled weight decay, on weights and embeddings", { type: 'number', min: 0, max: 10 }, 0),
  field('gradClip', 'grad-clip', 'gradient clip', 'clip the global gradient norm to this (0 = off)', { type: 'number', min: 0, max: 1e9 }, 0),
  field('warmup', 'warmup', 'warm-up', 'cosine schedule: steps of linear warm-up first', { type: 'int', min: 0 }, 0),
  field('minLr', 'min-lr', 'min lr', 'cosine schedule: the learning rate it decays to', { type: 'number', min: 0, max: 1e9 }, 0),
  field('evalEvery', 'eval-every', 'evaluate every', 'estimate train and validation losses every N steps (0 = at the end only)', { type: 'int', min: 0 }, 0),
  field('evalBatches', 'eval-batches', 'evaluation batches', 'estimate losses on N random batches (0 = exactly, over every window)', { type: 'int', min: 0 }, 0),
];

export { MODEL_KIND_FIELD };

/** Every field of every config: the model kind, each kind's own fields (once each: the first declaration), the training fields. */
export function allFields(): Field[] {
  const byPath = new Map<string, Field>();
  for (const f of [MODEL_KIND_FIELD, ...Object.values(MODELS).flatMap((m) => m.fields), ...TRAIN_FIELDS]) if (!byPath.has(f.path)) byPath.set(f.path, f);
  return [...byPath.values()];
}

/** Checks every field; the message names the field by its config path (`config.lr`) and says what is allowed. */
export function validateConfig(c: TrainConfig): TrainConfig {
  if (c === null || typeof c !== 'object' || c.model === null || typeof c.model !== 'object') {
    throw new WasmgradError('the config must be an object with a model object. Fix: start from a preset, e.g. PRESETS.default.config.');
  }
  validateModelConfig(c.model);
  validateFields(TRAIN_FIELDS, c as unknown as Record<string, unknown>);
  if ((c.microBatch ?? 0) > 0 && (c.batch === 'full' || c.batch % c.microBatch! !== 0)) {
    throw new WasmgradError(`config.microBatch ${c.microBatch} must divide config.batch ${c.batch}: the batch runs in passes of that many windows. Fix: choose a divisor of config.batch, or leave config.microBatch out.`);
  }
  if ((c.evalBatches ?? 0) > 0 && c.batch === 'full') {
    throw new WasmgradError("config.evalBatches estimates losses on random batches of config.batch windows, but config.batch is 'full'. Fix: set config.evalBatches to 0 (exact losses), or config.batch to a number.");
  }
  return c;
}
