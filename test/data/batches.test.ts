import { evaluationWindowCount, fillWindows, sampleWindows, targetsPerWindow, trainPart, validationPart, type WindowShape } from '../../ts/data/batches.js';
import { makeDataset } from '../../ts/data/dataset.js';
import { Rng } from '../../ts/util/rng.js';

// A text whose token at position i is recognisable from i, so every input and target can be traced back to its offset.
const text = Array.from({ length: 203 }, (_, i) => String.fromCharCode(97 + (i % 23))).join('');
const ds = makeDataset(text, { valFraction: 0.2 });
const at = (i: number) => ds.tokens[i];

test.each([
  [{ length: 5, predicts: 'last' }, 1],
  [{ length: 5, predicts: 'every' }, 5],
] as [WindowShape, number][])('%j: a sampled window is T consecutive tokens of the part, its targets the tokens after them', (shape, perWindow) => {
  expect(targetsPerWindow(shape)).toBe(perWindow);
  const batch = 64;
  const inputs = new Int32Array(batch * shape.length);
  const targets = new Int32Array(batch * perWindow);
  for (const part of [trainPart(ds), validationPart(ds)]) {
    sampleWindows(ds, part, shape, new Rng(4), inputs, targets);
    for (let b = 0; b < batch; b++) {
      const window = inputs.subarray(b * shape.length, (b + 1) * shape.length);
      // Where this window starts: the offset inside the part whose tokens it holds (the text repeats every 23).
      const start = [...Array(part.end - part.start - shape.length).keys()].map((k) => part.start + k).find((i) => window.every((tok, t) => tok === at(i + t)));
      expect(start).toBeDefined();
      const expected = shape.predicts === 'every' ? Array.from({ length: shape.length }, (_, t) => at(start! + t + 1)) : [at(start! + shape.length)];
      expect(Array.from(targets.subarray(b * perWindow, (b + 1) * perWindow))).toEqual(expected);
      expect(start! + shape.length).toBeLessThan(part.end); // the last target is still inside the part
    }
  }
});

test('exact evaluation counts every target of the part once: every window for one target, windows side by side for T', () => {
  const part = validationPart(ds); // 41 tokens: 40 targets
  const length = part.end - part.start;
  for (const shape of [{ length: 5, predicts: 'last' }, { length: 5, predicts: 'every' }, { length: 8, predicts: 'every' }] as WindowShape[]) {
    const count = evaluationWindowCount(part, shape);
    const perWindow = targetsPerWindow(shape);
    const inputs = new Int32Array(count * shape.length);
    const targets = new Int32Array(count * perWindow);
    fillWindows(ds, part, shape, 0, inputs, targets);
    // The positions predicted, from the windows' starts: distinct, inside the part.
    const stride = shape.predicts === 'every' ? shape.length : 1;
    const predicted = Array.from({ length: count }, (_, w) => Array.from({ length: perWindow }, (_, t) => part.start + w * stride + (shape.predicts === 'every' ? t + 1 : shape.length))).flat();
    expect(new Set(predicted).size).toBe(predicted.length);
    expect(Math.max(...predicted)).toBeLessThan(part.end);
    expect(Array.from(targets)).toEqual(predicted.map(at));
    // Nothing left out but what does not fill a window: fewer than T targets.
    const possible = shape.predicts === 'every' ? length - 1 : length - shape.length;
    expect(possible - predicted.length).toBeGreaterThanOrEqual(0);
    expect(possible - predicted.length).toBeLessThan(shape.predicts === 'every' ? shape.length : 1);
  }
});
