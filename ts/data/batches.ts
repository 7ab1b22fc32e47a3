import type { Rng } from '../util/rng.js';
import type { CharDataset } from './dataset.js';

/**
 * Windows of T tokens and their targets, as nanoGPT's `get_batch` cuts them. A window starting at i
 * holds tokens[i, i+T). A model predicts either the token after the window, tokens[i+T] (one target:
 * the notebook's models, T = 1, and the context MLP), or the token after every position,
 * tokens[i+1, i+T+1) (T targets: a GPT). Either way a part of the text [start, end) has
 * end - start - T windows, inputs and targets stay inside the part, and nothing crosses the
 * train/validation split.
 */
export interface Part {
  start: number;
  end: number;
}

/** What a model predicts from a window: the token after its last position, or after every position. */
export type Predicts = 'last' | 'every';

/** A model's windows: T tokens, and what it predicts from them. */
export interface WindowShape {
  length: number;
  predicts: Predicts;
}

export const trainPart = (ds: CharDataset): Part => ({ start: 0, end: ds.trainEnd });
export const validationPart = (ds: CharDataset): Part => ({ start: ds.trainEnd, end: ds.tokens.length });
export const wholeText = (ds: CharDataset): Part => ({ start: 0, end: ds.tokens.length });

/** Windows of `window` tokens in a part (0 if it is too short for one): where a random batch may start. */
export function windowCount(part: Part, window: number): number {
  return Math.max(0, part.end - part.start - window);
}

/** Targets per window: 1, or T for a model that predicts every position. */
export const targetsPerWindow = (shape: WindowShape): number => (shape.predicts === 'every' ? shape.length : 1);

/**
 * Windows that an exact evaluation reads so that every target of the part counts once: every window
 * (stride 1) when a window has one target; for T targets, windows side by side (stride T), which
 * leave out the last (end - start - 1) mod T targets, fewer than T.
 */
export function evaluationWindowCount(part: Part, shape: WindowShape): number {
  const count = windowCount(part, shape.length);
  return shape.predicts === 'every' ? Math.floor((count + shape.length - 1) / shape.length) : count;
}

/** Fills inputs (B·T) and targets (B, or B·T) with B windows drawn uniformly from the part (torch.randint). */
export function sampleWindows(ds: CharDataset, part: Part, shape: WindowShape, rng: Rng, inputs: Int32Array, targets: Int32Array): void {
  const count = windowCount(part, shape.length);
  const batch = inputs.length / shape.length;
  for (let b = 0; b < batch; b++) copyWindow(ds.tokens, part.start + rng.int(count), shape, b, inputs, targets);
}

/** Fills inputs and targets with the evaluation windows first, first + 1, … of the part (see evaluationWindowCount). */
export function fillWindows(ds: CharDataset, part: Part, shape: WindowShape, first: number, inputs: Int32Array, targets: Int32Array): void {
  const stride = targetsPerWindow(shape);
  const batch = inputs.length / shape.length;
  for (let b = 0; b < batch; b++) copyWindow(ds.tokens, part.start + (first + b) * stride, shape, b, inputs, targets);
}

/** Window b of a batch: tokens [i, i+T) and its targets. */
function copyWindow(tokens: Int32Array, i: number, shape: WindowShape, b: number, inputs: Int32Array, targets: Int32Array): void {
  const t = shape.length;
  inputs.set(tokens.subarray(i, i + t), b * t);
  if (shape.predicts === 'every') targets.set(tokens.subarray(i + 1, i + t + 1), b * t);
  else targets[b] = tokens[i + t];
}
