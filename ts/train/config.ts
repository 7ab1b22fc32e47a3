import { WasmgradError } from '../backend/errors.js';
import { INIT_NAMES, type InitName } from '../nn/init.js';
import { MODEL_KINDS, type ModelKind } from '../nn/models.js';
import { OPTIMIZER_NAMES, type OptimizerName } from '../optim/optimizer.js';

export type Schedule = 'constant' | 'cosine';
export const SCHEDULES: readonly Schedule[] = ['constant', 'cosine'];

/** Everything that determines a training run (with the data and the backend). */
export interface TrainConfig {
  model: ModelKind;
  /** Hidden units (MLP only). */
  hidden: number;
  init: InitName;
  optimizer: OptimizerName;
  lr: number;
  /** Learning-rate schedule over `steps`: constant (the notebook's) or cosine decay to 0. */
  schedule: Schedule;
  /** Positions per step, or 'full' for full-batch gradient descent over every training position. */
  batch: number | 'full';
  steps: number;
  seed: number;
  /** Fraction of the text held out as a contiguous validation tail (0: none). */
  valFraction: number;
  /** Log the loss every this many steps (and at the first and last step). */
  logEvery: number;
}

/** Checks every field; the message names the field, the bad value and what is allowed. */
export function validateConfig(c: TrainConfig): TrainConfig {
  const fail = (field: string, value: unknown, want: string): never => {
    throw new WasmgradError(`--${field} ${value} is invalid: ${want}. Fix: pass --${field} with ${want}.`);
  };
  const positiveInt = (field: string, v: number) => (Number.isInteger(v) && v > 0) || fail(field, v, 'a positive integer');
  if (!MODEL_KINDS.includes(c.model)) fail('model', c.model, `one of ${MODEL_KINDS.join(', ')}`);
  if (!INIT_NAMES.includes(c.init)) fail('init', c.init, `one of ${INIT_NAMES.join(', ')}`);
  if (!OPTIMIZER_NAMES.includes(c.optimizer)) fail('optimizer', c.optimizer, `one of ${OPTIMIZER_NAMES.join(', ')}`);
  if (!SCHEDULES.includes(c.schedule)) fail('schedule', c.schedule, `one of ${SCHEDULES.join(', ')}`);
  positiveInt('hidden', c.hidden);
  positiveInt('steps', c.steps);
  positiveInt('log-every', c.logEvery);
  if (c.batch !== 'full') positiveInt('batch', c.batch);
  if (!(Number.isFinite(c.lr) && c.lr > 0)) fail('lr', c.lr, 'a positive finite number');
  if (!(Number.isInteger(c.seed) && c.seed >= 0 && c.seed <= 0xffffffff)) fail('seed', c.seed, 'an integer in [0, 4294967295]');
  if (!(c.valFraction >= 0 && c.valFraction <= 0.5)) fail('val', c.valFraction, 'a fraction in [0, 0.5]');
  return c;
}
