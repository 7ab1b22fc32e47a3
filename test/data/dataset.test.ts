import { trainPart, validationPart, windowCount } from '../../ts/data/batches.js';
import { makeDataset, type CharDataset } from '../../ts/data/dataset.js';

const trainPairs = (ds: CharDataset) => windowCount(trainPart(ds), 1);
const valPairs = (ds: CharDataset) => windowCount(validationPart(ds), 1);
import { Vocabulary } from '../../ts/data/vocab.js';
import { thrown } from '../helpers/errors.js';

describe('makeDataset', () => {
  test('without a split every position trains', () => {
    const ds = makeDataset('abcab');
    expect(ds.vocab.chars).toEqual(['a', 'b', 'c']);
    expect(Array.from(ds.tokens)).toEqual([0, 1, 2, 0, 1]);
    expect(ds.trainEnd).toBe(5);
    expect(trainPairs(ds)).toBe(4);
    expect(valPairs(ds)).toBe(0);
  });

  test('a two-character text has one pair', () => {
    const ds = makeDataset('😀a');
    expect(ds.tokens.length).toBe(2);
    expect(trainPairs(ds)).toBe(1);
  });

  test('the validation tail holds round(valFraction·n) tokens; the crossing pair is in neither part', () => {
    const text = 'abcdefghij'.repeat(10); // 100 tokens
    const ds = makeDataset(text, { valFraction: 0.1 });
    expect(ds.trainEnd).toBe(90);
    // Training positions 0..88 (labels up to token 89), validation 90..98 (labels up to token 99).
    expect(trainPairs(ds)).toBe(89);
    expect(valPairs(ds)).toBe(9);
    expect(trainPairs(ds) + valPairs(ds)).toBe(ds.tokens.length - 2);
    expect(makeDataset(text, { valFraction: 0.5 }).trainEnd).toBe(50);
  });

  test('rejects valFraction outside [0, 0.5]', () => {
    for (const f of [-0.1, 0.51, 1, NaN, Infinity]) {
      expect(thrown(() => makeDataset('abcdef', { valFraction: f })).message).toBe(
        `valFraction ${f} is outside [0, 0.5]. Fix: use 0 for no validation split, or e.g. 0.1 for the last 10% of the text.`,
      );
    }
  });

  test('a split needs at least one pair on each side', () => {
    // 4 tokens, 0.25 → trainEnd 3: train positions [0, 2) = 2 pairs, validation [3, 3) = none.
    expect(thrown(() => makeDataset('abcd', { valFraction: 0.25 })).message).toBe(
      'valFraction 0.25 splits a text of 4 characters into 2 training and 0 validation pairs; each part needs at least one. Fix: use a longer text or another valFraction (0 for no validation split).',
    );
    // 5 tokens, 0.4 → trainEnd 3: 2 training pairs, 1 validation pair.
    const ds = makeDataset('abcde', { valFraction: 0.4 });
    expect([trainPairs(ds), valPairs(ds)]).toEqual([2, 1]);
    // A fraction so small it rounds to an empty tail is an error too, not a silent no-split.
    expect(thrown(() => makeDataset('abcdefghij'.repeat(10), { valFraction: 0.004 })).message).toMatch(/^valFraction 0.004 splits a text of 100 characters into 99 training and 0 validation pairs;/);
  });

  test('a one-character text is rejected', () => {
    expect(thrown(() => makeDataset('a')).message).toBe('the text has 1 character(s): too short to have a next character to predict. Fix: use a longer text.');
  });

  test("resuming uses the checkpoint's vocabulary, which may be larger than the text's", () => {
    const vocab = new Vocabulary(['\n', ' ', 'a', 'b', 'z']);
    const ds = makeDataset('ab a', { vocab });
    expect(ds.vocab).toBe(vocab);
    expect(Array.from(ds.tokens)).toEqual([2, 3, 1, 2]);
  });

  test("a text outside the checkpoint's vocabulary is rejected", () => {
    const vocab = new Vocabulary(['a', 'b']);
    expect(thrown(() => makeDataset('abba\nc', { vocab })).message).toBe(
      `the model's vocabulary (2 characters) does not cover this text: "\\n" (U+000A) at position 4 is not in it. Fix: train on the text the model was trained on (or one with only its characters), or start a new run from scratch.`,
    );
  });
});
