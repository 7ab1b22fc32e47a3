import { WasmgradError } from '../backend/errors.js';
import { describeChar, Vocabulary } from './vocab.js';

/**
 * A text as tokens, for next-character prediction, split into a training part [0, trainEnd) and a
 * validation part [trainEnd, length). Models read windows of a part and predict the token after
 * each (data/batches.ts); no window or target crosses the split.
 */
export interface CharDataset {
  vocab: Vocabulary;
  tokens: Int32Array;
  /** First token of the validation tail; tokens.length when there is no split. */
  trainEnd: number;
}

/** Tokens of an n-token text that makeDataset holds out for validation at this fraction. */
export const validationLength = (n: number, valFraction: number): number => Math.round(valFraction * n);

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
        `the model's vocabulary (${vocab.size} characters) does not cover this text: ${describeChar(unknown.char)} at position ${unknown.position} is not in it. ` +
          'Fix: train on the text the model was trained on (or one with only its characters), or start a new run from scratch.',
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
  const trainEnd = n - validationLength(n, valFraction);
  const ds = { vocab, tokens, trainEnd };
  // Windows of one character (data/batches.ts): a part of k characters has k - 1.
  const [trainPairs, valPairs] = [Math.max(0, trainEnd - 1), Math.max(0, n - trainEnd - 1)];
  if (valFraction > 0 && (trainPairs < 1 || valPairs < 1)) {
    throw new WasmgradError(
      `valFraction ${valFraction} splits a text of ${n} characters into ${trainPairs} training and ${valPairs} validation pairs; each part needs at least one. ` +
        'Fix: use a longer text or another valFraction (0 for no validation split).',
    );
  }
  return ds;
}
