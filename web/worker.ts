// The training worker: holds the corpus, the backends and the run; the page only draws.
import {
  allFields, BACKEND_NAMES, decodeText, formatTable, loadBackend, makeDataset, renameConfigFields, Rng, runKernelSuite, runStepSuite, Trainer, WasmgradError,
  type Backend, type BackendName, type BenchRecord, type MeasureOptions, type TrainConfig,
} from '../ts/browser.js';
import type { ErrorContext, FromWorker, ToWorker } from './protocol.js';

/** Train this long between progress messages: one message per ~100 ms, not one per step. */
const SLICE_MS = 100;
/** Statistics and a text sample this often (each costs about one small forward pass per character). */
const SNAPSHOT_MS = 1000;
const SAMPLE_CHARS = 300;
/** Shorter than `npm run bench`'s defaults so that three backends finish in well under a minute. */
const BENCH_OPTIONS: MeasureOptions = { warmupMs: 100, budgetMs: 150, minSamples: 3 };
const CORPUS_FIX = 'Fix: choose a UTF-8 text file, or another URL.';

interface Run {
  trainer: Trainer;
  running: boolean;
  /** When the last progress message went out (or the run resumed). */
  lastProgress: number;
  lastSnapshot: number;
}

let text: string | null = null;
let run: Run | null = null;
const backends = new Map<BackendName, Promise<Backend>>();

const post = (message: FromWorker) => postMessage(message);

// Messages are handled one after another, so a 'pause' sent while a run is starting applies to it.
let queue = Promise.resolve();
onmessage = (event: MessageEvent<ToWorker>) => {
  queue = queue.then(() => handle(event.data));
};

async function handle(message: ToWorker): Promise<void> {
  const context: ErrorContext = message.type === 'corpus' ? 'corpus' : message.type === 'bench' ? 'bench' : 'run';
  try {
    switch (message.type) {
      case 'corpus': return loadCorpus(message.bytes, message.source);
      case 'start': return await start(message.config, message.backend);
      case 'pause': return pause();
      case 'reset': return reset();
      case 'bench': return await bench();
    }
  } catch (e) {
    // Our own errors carry a message written for the user; anything else is a bug worth its name.
    // The library names config fields config.lr; the page calls them by their labels.
    const text = e instanceof WasmgradError ? renameConfigFields(e.message, allFields(), (f) => f.label) : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
    post({ type: 'error', context, message: text });
  }
}

function loadCorpus(bytes: ArrayBuffer, source: string): void {
  text = null;
  const decoded = decodeText(new Uint8Array(bytes), source, CORPUS_FIX);
  // Characters are code points, as the vocabulary counts them.
  let characters = 0;
  const distinct = new Set<string>();
  for (const ch of decoded) {
    characters++;
    distinct.add(ch);
  }
  text = decoded;
  post({ type: 'corpus', source, characters, distinct: distinct.size });
}

function backend(name: BackendName): Promise<Backend> {
  let loading = backends.get(name);
  if (!loading) {
    // The library's default: wasm-simd on every core (at most 8) where the page is cross-origin
    // isolated, else on one thread with a notice saying why; the same results on any number.
    loading = loadBackend(name, { onFallback: (message) => post({ type: 'notice', message }) });
    backends.set(name, loading);
  }
  return loading;
}

async function start(config: TrainConfig, backendName: BackendName): Promise<void> {
  if (!run) {
    if (text === null) throw new WasmgradError('no corpus is loaded. Fix: load one by URL or choose a file first.');
    const be = await backend(backendName);
    const trainer = new Trainer(be, makeDataset(text, { valFraction: config.valFraction }), config);
    run = { trainer, running: false, lastProgress: 0, lastSnapshot: 0 };
    post({ type: 'started', backend: be.name, threads: be.threadCount, steps: config.steps, init: trainer.activationStats() });
    snapshot(run);
  }
  if (run.running || run.trainer.step >= run.trainer.config.steps) return;
  run.running = true;
  run.lastProgress = performance.now();
  tick();
}

function pause(): void {
  if (!run?.running) return;
  run.running = false;
  snapshot(run);
  post({ type: 'stopped', reason: 'paused' });
}

function reset(): void {
  run?.trainer.dispose();
  run = null;
  post({ type: 'reset' });
}

// A message to ourselves yields to the event loop (so 'pause' gets in) without setTimeout's clamping.
const yielder = new MessageChannel();
yielder.port1.onmessage = () => tick();

/** Trains for one slice, reports, and schedules the next slice. */
function tick(): void {
  const current = run;
  if (!current?.running) return;
  const { trainer } = current;
  const losses: number[] = [];
  const sliceEnd = performance.now() + SLICE_MS;
  do losses.push(trainer.trainStep());
  while (trainer.step < trainer.config.steps && performance.now() < sliceEnd);
  const now = performance.now();
  post({ type: 'progress', step: trainer.step, losses, stepsPerSecond: (1000 * losses.length) / (now - current.lastProgress) });
  current.lastProgress = now;
  if (trainer.step >= trainer.config.steps) {
    current.running = false;
    snapshot(current);
    post({ type: 'stopped', reason: 'done' });
    return;
  }
  if (now - current.lastSnapshot >= SNAPSHOT_MS) snapshot(current);
  yielder.port2.postMessage(null);
}

function snapshot(current: Run): void {
  const { trainer } = current;
  // The same draws every time: the sample changes only because the model does.
  const sample = trainer.generate(SAMPLE_CHARS, new Rng(trainer.config.seed + 1));
  post({ type: 'snapshot', step: trainer.step, stats: trainer.activationStats(), sample });
  current.lastSnapshot = performance.now();
}

async function bench(): Promise<void> {
  pause();
  const records: BenchRecord[] = [];
  const onRecord = (r: BenchRecord) => {
    records.push(r);
    post({ type: 'bench-progress', line: `${r.backend} ${r.suite} ${r.name} ${r.shape.join('×')}: ${r.medianMs.toFixed(3)} ms` });
  };
  for (const name of BACKEND_NAMES) {
    const be = await backend(name);
    runKernelSuite(be, onRecord, BENCH_OPTIONS);
    // A GPT step in plain JS takes about 10 s: the page measures it on the wasm backends only (npm run bench on all).
    runStepSuite(be, onRecord, BENCH_OPTIONS, (c) => !(c.model.kind === 'gpt' && name === 'js'));
  }
  const header = `wasmgrad bench · ${navigator.userAgent.match(/(?:Chrome|Firefox|Version)\/[\d.]+/)?.[0] ?? navigator.userAgent} · ${navigator.hardwareConcurrency} cores`;
  post({ type: 'bench-done', table: `${header}\n\n${formatTable(records)}` });
}
