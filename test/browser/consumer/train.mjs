// A consumer's code: imports the installed package by name. Node runs it as it is; the test bundles
// it with esbuild for the browser. Both must produce the same losses.
import { loadBackend, loadCheckpoint, makeDataset, PRESETS, saveCheckpoint, Trainer } from 'wasmgrad';

// The corpus's first lines: real text, small enough to embed (no file loading in the page).
const TEXT = `First Citizen:
Before we proceed any further, hear me speak.

All:
Speak, speak.

First Citizen:
You are all resolved rather to die than to famish?

All:
Resolved. resolved.

First Citizen:
First, you know Caius Marcius is chief enemy to the people.

All:
We know't, we know't.

First Citizen:
Let us kill him, and we'll have corn at our own price.
Is't a verdict?

All:
No more talking on't; let it be done: away, away!
`;

/** What the test trains: the notebook's MLP, the first model with context, and a small GPT (with dropout) on gpt-baby's recipe. */
export const PRESET_NAMES = ['mlp', 'context', 'gpt'];
const CONFIGS = {
  mlp: { ...PRESETS.mlp.config, batch: 64 },
  context: { ...PRESETS.context.config, batch: 64 },
  gpt: { ...PRESETS['gpt-baby'].config, model: { kind: 'gpt', block: 16, layers: 2, heads: 2, embedding: 32, dropout: 0.1, bias: true }, batch: 8, warmup: 0 },
};

/** Losses of the first `steps` steps of a case on one backend: a backend's name, or 'wasm-simd×N' for N threads. */
export async function trainLosses(backendName, preset, steps) {
  const [name, threads = '1'] = backendName.split('×');
  const backend = await loadBackend(name, {
    threads: Number(threads),
    onFallback: (message) => {
      throw new Error(message);
    },
  });
  if (backend.threadCount !== Number(threads)) throw new Error(`${backendName}: got ${backend.threadCount} threads`);
  let trainer = new Trainer(backend, makeDataset(TEXT), { ...CONFIGS[preset], valFraction: 0, steps });
  const losses = [];
  for (let i = 0; i < steps; i++) {
    // Halfway, through the bytes of a checkpoint, as a page saves and reopens a run (no file system).
    if (i === steps >> 1) {
      const resumed = loadCheckpoint(saveCheckpoint(trainer)).resume(backend, TEXT);
      trainer.dispose();
      trainer = resumed;
    }
    losses.push(trainer.trainStep());
  }
  trainer.dispose();
  backend.dispose();
  return losses;
}
