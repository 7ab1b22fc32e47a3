import type { Rng } from '../util/rng.js';
import type { CharDataset } from './dataset.js';

/**
 * Windows of T tokens and the token after each, as nanoGPT's `get_batch` cuts them: a window starting
 * at i holds tokens[i, i+T) and its target is tokens[i+T]. A part of the text [start, end) has
 * end - start - T windows, so every target in (start + T - 1, end) belongs to exactly one; both the
 * window and its target stay inside the part, and nothing crosses the train/validation split.
 * The notebook's models are T = 1: a window is one character and its target the next one.
 */
export interface Part {
  start: number;
  end: number;
}

export const trainPart = (ds: CharDataset): Part => ({ start: 0, end: ds.trainEnd });
export const validationPart = (ds: CharDataset): Part => ({ start: ds.trainEnd, end: ds.tokens.length });
export const wholeText = (ds: CharDataset): Part => ({ start: 0, end: ds.tokens.length });

/** Windows of `window` tokens in a part (0 if it is too short for one). */
export function windowCount(part: Part, window: number): number {
  return Math.max(0, part.end - part.start - window);
}

/** Fills inputs (B·T) and targets (B) with B windows drawn uniformly from the part (torch.randint). */
export function sampleWindows(ds: CharDataset, part: Part, window: number, rng: Rng, inputs: Int32Array, targets: Int32Array): void {
  const count = windowCount(part, window);
  const tokens = ds.tokens;
  for (let b = 0; b < targets.length; b++) {
    const i = part.start + rng.int(count);
    for (let t = 0; t < window; t++) inputs[b * window + t] = tokens[i + t];
    targets[b] = tokens[i + window];
  }
}

/** Fills inputs and targets with the consecutive windows first, first + 1, … of the part (evaluation). */
export function fillWindows(ds: CharDataset, part: Part, window: number, first: number, inputs: Int32Array, targets: Int32Array): void {
  const tokens = ds.tokens;
  for (let b = 0; b < targets.length; b++) {
    const i = part.start + first + b;
    for (let t = 0; t < window; t++) inputs[b * window + t] = tokens[i + t];
    targets[b] = tokens[i + window];
  }
}
