// A consumer's code: imports the installed package by name. Node runs it as it is; the test bundles
// it with esbuild for the browser. Both must produce the same losses and samples.
import { loadBackend, loadCheckpoint, makeDataset, PRESETS, Rng, saveCheckpoint, Trainer } from 'wasmgrad';

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

/**
 * The losses of the first `steps` steps of a case on one backend (a backend's name, or 'wasm-simd×N'
 * for N threads), and a sample streamed from the trained model.
 */
export async function trainAndSample(backendName, preset, steps) {
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
  // The first half as an app trains: trainer.run, stopped by a signal.
  const stop = new AbortController();
  const half = await trainer.run({
    signal: stop.signal,
    onStep: ({ step, loss }) => {
      losses.push(loss);
      if (step === steps >> 1) stop.abort();
    },
  });
  if (half.reason !== 'aborted' || trainer.step !== steps >> 1) throw new Error(`the abort did not stop the run at step ${steps >> 1}: ${JSON.stringify(half)}`);
  // Then through the bytes of a checkpoint, as a page saves and reopens a run (no file system),
  // and the rest step by step.
  const resumed = loadCheckpoint(saveCheckpoint(trainer)).resume(backend, TEXT);
  trainer.dispose();
  trainer = resumed;
  while (trainer.step < steps) losses.push(trainer.trainStep());
  let sample = '';
  for await (const ch of trainer.generateStream(80, new Rng(7), { prompt: 'All:\n', temperature: 0.8 })) sample += ch;
  trainer.dispose();
  backend.dispose();
  return { losses, sample };
}
