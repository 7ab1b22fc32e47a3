import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDataset } from '../../ts/data/dataset.js';
import { loadBackend } from '../../ts/node/backends.js';
import { PRESETS } from '../../ts/train/presets.js';
import { Trainer } from '../../ts/train/trainer.js';

// The presets on the real corpus (npm run setup puts it in datasets/), for the numbers they promise.
const CORPUS = join(__dirname, '..', '..', 'datasets', 'tinyShakespeare.txt');

test('the corpus is in datasets/ (npm run setup copies or downloads it)', () => {
  expect(existsSync(CORPUS)).toBe(true);
});

test('preset context: validation loss ≤ 1.95 over the whole held-out tenth of tiny-shakespeare', async () => {
  const { config } = PRESETS.context;
  const trainer = new Trainer(await loadBackend('wasm-simd'), makeDataset(readFileSync(CORPUS, 'utf8'), { valFraction: config.valFraction }), config);
  while (trainer.step < config.steps) trainer.trainStep();
  const val = trainer.valLoss()!;
  expect(val).toBeLessThanOrEqual(1.95);
  expect(val).toBeGreaterThan(1.5); // a number this low would mean the split leaks
}, 300000);
