import { WasmgradError } from '../backend/errors.js';
import { describeChar, Vocabulary } from './vocab.js';

/**
 * A text as tokens, for next-character prediction: position i pairs input tokens[i] with label
 * tokens[i+1]. Training positions are [0, trainEnd - 1), validation positions [trainEnd, length - 1):
 * both pairs stay inside their part, so no label leaks across the split (the one pair that crosses
 * it, trainEnd - 1, is used by neither).
 */
export interface CharDataset {
  vocab: Vocabulary;
  tokens: Int32Array;
  /** First token of the validation tail; tokens.length when there is no split. */
  trainEnd: number;
}

/** Number of training positions. */
export function trainPairs(ds: CharDataset): number {
  return Math.max(0, ds.trainEnd - 1);
}

/** Number of validation positions (0 without a split). */
export function valPairs(ds: CharDataset): number {
  return Math.max(0, ds.tokens.length - 1 - ds.trainEnd);
}

/**
 * Tokenizes `text` and splits off a contiguous tail of `valFraction` of its tokens for validation
 * (a tail, not random positions: neighbouring characters are nearly duplicates, so a random split
 * would measure memorisation). `vocab` is the vocabulary of a checkpoint being resumed; without it
 * the vocabulary is built from the text.
 */
export function makeDataset(text: string, options: { valFraction?: number; vocab?: Vocabulary } = {}): CharDataset {
  const { valFraction = 0 } = options;
  if (typeof valFraction !== 'number' || !(valFraction >= 0 && valFraction <= 0.5)) {
    throw new WasmgradError(`valFraction ${valFraction} is outside [0, 0.5]. Fix: use 0 for no validation split, or e.g. 0.1 for the last 10% of the text.`);
  }
  let vocab = options.vocab;
  if (vocab) {
    const unknown = vocab.firstUnknown(text);
    if (unknown) {
      throw new WasmgradError(
        `the checkpoint's vocabulary (${vocab.size} characters) does not cover this text: ${describeChar(unknown.char)} at position ${unknown.position} is not in it. ` +
          'Fix: resume on the text the checkpoint was trained on, or start a new run from scratch.',
      );
    }
  } else {
    vocab = Vocabulary.fromText(text);
  }
  const tokens = vocab.encode(text);
  const n = tokens.length;
  if (n < 2) {
    throw new WasmgradError(`the text has ${n} character(s): too short to have a next character to predict. Fix: use a longer text.`);
  }
  const trainEnd = n - Math.round(valFraction * n);
  const ds = { vocab, tokens, trainEnd };
  if (valFraction > 0 && (trainPairs(ds) < 1 || valPairs(ds) < 1)) {
    throw new WasmgradError(
      `valFraction ${valFraction} splits a text of ${n} characters into ${trainPairs(ds)} training and ${valPairs(ds)} validation pairs; each part needs at least one. ` +
        'Fix: use a longer text or another valFraction (0 for no validation split).',
    );
  }
  return ds;
}
