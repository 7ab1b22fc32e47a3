// The training worker: holds the corpus, the backends and the run; the page only draws.
import {
  allFields, BACKEND_NAMES, decodeText, formatTable, loadBackend, loadCheckpoint, makeDataset, renameConfigFields, Rng, runKernelSuite, runStepSuite,
  saveCheckpoint, Trainer, WasmgradError,
  type ActivationStats, type Backend, type BackendName, type BenchRecord, type Checkpoint, type LossPoint, type MeasureOptions, type TrainConfig,
} from '../ts/browser.js';
import type { ErrorContext, FromWorker, RunShown, ToWorker } from './protocol.js';
import { forgetLastRun, loadLastRun, saveLastRun } from './store.js';

/** One progress message per ~100 ms of training, not one per step. */
const PROGRESS_MS = 100;
/** Statistics and a text sample this often (each costs about one small forward pass per character). */
const SNAPSHOT_MS = 1000;
/** A running run is kept in IndexedDB this often (and whenever it stops). */
const STORE_MS = 30_000;
const SAMPLE_CHARS = 300;
/** Shorter than `npm run bench`'s defaults so that three backends finish in well under a minute. */
const BENCH_OPTIONS: MeasureOptions = { warmupMs: 100, budgetMs: 150, minSamples: 3 };
const CORPUS_FIX = 'Fix: choose a UTF-8 text file, or another URL.';

interface Run {
  trainer: Trainer;
  /** The corpus it trains on, and where that came from. */
  text: string;
  source: string;
  init: ActivationStats | null;
  /** Every step's loss, with the evaluations: the chart, and the checkpoint's metrics. */
  metrics: LossPoint[];
  /** The step it trains to: config.steps, or further after "continue training" (Resume goes on to it). */
  until: number;
  /** While training: the loop, and what stops it. */
  loop: Promise<void> | null;
  stop: AbortController | null;
  lastSnapshot: number;
  lastStored: number;
}

let corpus: { text: string; source: string } | null = null;
let run: Run | null = null;
/** The page's temperature control: every sample is drawn at it. */
let temperature = 1;
/** What newRun takes for a model file: the training settings, the model being the file's. */
type TrainingSettings = Parameters<Checkpoint['newRun']>[2];
const backends = new Map<BackendName, Promise<Backend>>();

const post = (message: FromWorker, transfer: Transferable[] = []) => postMessage(message, { transfer });

// Messages are handled one after another, so a 'pause' sent while a run is starting applies to it.
// Training itself runs beside the queue (trainer.run yields), so 'pause' gets in while it trains.
let queue = Promise.resolve();
onmessage = (event: MessageEvent<ToWorker>) => {
  queue = queue.then(() => handle(event.data));
};

const CONTEXTS: Partial<Record<ToWorker['type'], ErrorContext>> = { corpus: 'corpus', bench: 'bench', open: 'file', restore: 'file' };

async function handle(message: ToWorker): Promise<void> {
  try {
    switch (message.type) {
      case 'corpus': return loadCorpus(message.bytes, message.source);
      case 'start': return await start(message.config, message.backend);
      case 'continue': return continueRun(message.steps);
      case 'pause': return void run?.stop?.abort();
      case 'reset': return await reset();
      case 'temperature': return setTemperature(message.value);
      case 'download': return download();
      case 'open': return await openFile(message.bytes, message.name, message.config, message.backend);
      case 'restore': return await restore();
      case 'bench': return await bench();
    }
  } catch (e) {
    report(e, CONTEXTS[message.type] ?? 'run');
  }
}

/** Our own errors carry a message written for the user, config fields named by the page's labels; anything else is a bug worth its name. */
function report(e: unknown, context: ErrorContext): void {
  const text = e instanceof WasmgradError ? renameConfigFields(e.message, allFields(), (f) => f.label) : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
  post({ type: 'error', context, message: text });
}

function loadCorpus(bytes: ArrayBuffer, source: string): void {
  corpus = null;
  const text = decodeText(new Uint8Array(bytes), source, CORPUS_FIX);
  setCorpus(text, source);
}

function setCorpus(text: string, source: string): void {
  // Characters are code points, as the vocabulary counts them.
  let characters = 0;
  const distinct = new Set<string>();
  for (const ch of text) {
    characters++;
    distinct.add(ch);
  }
  corpus = { text, source };
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

const needCorpus = () => {
  if (corpus === null) throw new WasmgradError('no corpus is loaded. Fix: load one by URL or choose a file first.');
  return corpus;
};

async function start(config: TrainConfig, backendName: BackendName): Promise<void> {
  if (!run) {
    const { text, source } = needCorpus();
    const trainer = new Trainer(await backend(backendName), makeDataset(text, { valFraction: config.valFraction }), config);
    run = newRun(trainer, text, source, trainer.activationStats(), []);
    post({ type: 'started', ...shown(run) });
    snapshot(run);
  }
  if (run.loop) return;
  if (run.trainer.step >= run.until) return stopped(run, 'done'); // nothing to resume: say so rather than leave the page waiting
  train(run);
}

function newRun(trainer: Trainer, text: string, source: string, init: ActivationStats | null, metrics: LossPoint[]): Run {
  const until = Math.max(trainer.step, trainer.config.steps);
  return { trainer, text, source, init, metrics, until, loop: null, stop: null, lastSnapshot: 0, lastStored: performance.now() };
}

function shown(current: Run): RunShown {
  const { trainer } = current;
  return {
    backend: trainer.backend.name, threads: trainer.backend.threadCount, step: trainer.step, steps: trainer.config.steps,
    init: current.init, history: current.metrics, validation: (trainer.config.evalEvery ?? 0) > 0,
  };
}

function continueRun(steps: number): void {
  const current = run;
  if (!current || current.loop) return;
  if (!(Number.isInteger(steps) && steps >= 1)) throw new WasmgradError(`more steps is ${steps}, but must be a positive whole number. Fix: enter e.g. 500.`);
  const blocked = continueBlocked(current.trainer);
  if (blocked) throw new WasmgradError(blocked);
  current.until = current.trainer.step + steps;
  train(current);
}

/** Why training past the schedule's end would change nothing, or null. */
function continueBlocked(trainer: Trainer): string | null {
  if (trainer.step < trainer.config.steps) return null;
  return trainer.currentLr === 0 ? 'the cosine schedule ends at learning rate 0, so more steps would not change the model. Fix: start a new run with a min lr above 0, or a constant schedule.' : null;
}

/** Trains to step `current.until` beside the message queue, reporting as it goes; 'pause' aborts it. */
function train(current: Run): void {
  const stop = new AbortController();
  let losses: number[] = [];
  let since = performance.now();
  let evaluated: { train: number; val: number | null } | undefined;
  const flush = () => {
    if (losses.length === 0) return;
    const now = performance.now();
    post({ type: 'progress', step: current.trainer.step, until: current.until, losses, stepsPerSecond: (1000 * losses.length) / (now - since) });
    losses = [];
    since = now;
  };
  current.stop = stop;
  current.loop = (async () => {
    let reason: 'paused' | 'done' | 'diverged' = 'paused';
    try {
      const result = await current.trainer.run({
        until: current.until,
        signal: stop.signal,
        onEval: ({ step, train, val }) => {
          evaluated = { train, val };
          post({ type: 'evaluation', step, train, val });
        },
        onStep: async ({ step, loss }) => {
          losses.push(loss);
          current.metrics.push({ step: step - 1, loss, ...evaluated });
          evaluated = undefined;
          const now = performance.now();
          if (now - since >= PROGRESS_MS) flush();
          if (now - current.lastSnapshot >= SNAPSHOT_MS) snapshot(current);
          if (now - current.lastStored >= STORE_MS) await store(current);
        },
      });
      reason = result.reason === 'aborted' ? 'paused' : result.reason;
    } catch (e) {
      report(e, 'run');
    }
    flush();
    current.loop = null;
    current.stop = null;
    if (run !== current) return; // reset while it trained
    snapshot(current);
    stopped(current, reason);
    await store(current);
  })();
}

function stopped(current: Run, reason: 'paused' | 'done' | 'diverged'): void {
  const { trainer } = current;
  post({ type: 'stopped', reason, step: trainer.step, lr: trainer.currentLr, continueBlocked: continueBlocked(trainer) });
}

/** Stops and frees the current run, if any, without keeping it: its loop sees it is no longer the run. */
async function endRun(): Promise<void> {
  const current = run;
  run = null;
  if (!current) return;
  current.stop?.abort();
  await current.loop;
  current.trainer.dispose();
}

async function reset(): Promise<void> {
  await endRun();
  await forgetLastRun().catch(() => {}); // nothing kept is nothing to forget
  post({ type: 'reset' });
}

function setTemperature(value: number): void {
  temperature = value;
  if (run && !run.loop) snapshot(run); // while training, the next snapshot draws with it
}

function snapshot(current: Run): void {
  const { trainer } = current;
  // The same draws every time: the sample changes only because the model (or the temperature) does.
  const sample = trainer.generate(SAMPLE_CHARS, new Rng(trainer.config.seed + 1), { temperature });
  post({ type: 'snapshot', step: trainer.step, stats: trainer.activationStats(), sample });
  current.lastSnapshot = performance.now();
}

function checkpointBytes(current: Run): Uint8Array {
  return saveCheckpoint(current.trainer, { run: { data: { path: current.source }, initStats: current.init, initLoss: current.metrics[0]?.loss ?? null }, metrics: current.metrics });
}

function download(): void {
  if (!run) throw new WasmgradError('there is no run to download. Fix: start one, or open a .safetensors file.');
  const bytes = checkpointBytes(run);
  post({ type: 'checkpoint', bytes: bytes.buffer as ArrayBuffer, name: `wasmgrad-${run.trainer.config.model.kind}-step${run.trainer.step}.safetensors` }, [bytes.buffer]);
}

/** Keeps the run in IndexedDB; a browser that refuses (private mode, quota) costs only the restore. */
async function store(current: Run): Promise<void> {
  current.lastStored = performance.now();
  try {
    await saveLastRun({ checkpoint: checkpointBytes(current), text: current.text, source: current.source, step: current.trainer.step, savedAt: Date.now() });
  } catch (e) {
    post({ type: 'notice', message: `this browser did not keep the run for a reload (${e instanceof Error ? e.message : String(e)}); download it to keep it.` });
  }
}

async function openFile(bytes: ArrayBuffer, name: string, config: TrainConfig, backendName: BackendName): Promise<void> {
  const { text, source } = needCorpus();
  // A model file brings its own model: of the form's settings, only the training ones apply.
  await load(loadCheckpoint(new Uint8Array(bytes), name), text, source, await backend(backendName), name, { ...config, model: undefined });
}

async function restore(): Promise<void> {
  const stored = await loadLastRun();
  if (!stored) throw new WasmgradError('no run is kept in this browser any more. Fix: start a new run.');
  setCorpus(stored.text, stored.source);
  const saved = loadCheckpoint(stored.checkpoint, 'the run kept in this browser');
  await load(saved, stored.text, stored.source, await backend(saved.run.backend ?? 'wasm-simd'), `the run kept in this browser (step ${stored.step})`);
}

/**
 * Replaces the current run with a saved one: a checkpoint continues its own run (on the text it
 * trained on: resume checks it), a model file starts a new run from its parameters with `config`.
 */
async function load(saved: Checkpoint, text: string, source: string, be: Backend, what: string, config?: TrainingSettings): Promise<void> {
  if (saved.kind === 'model' && !config) throw new WasmgradError(`${what} holds a model without a run. Fix: open it as a file to start a new run from it.`);
  const trainer = saved.kind === 'checkpoint' ? saved.resume(be, text) : saved.newRun(be, text, config);
  await endRun(); // only now: a file that does not load leaves the run as it was
  const init = saved.kind === 'checkpoint' ? (saved.run.initStats ?? null) : trainer.activationStats();
  run = newRun(trainer, text, source, init, saved.kind === 'checkpoint' ? [...saved.metrics] : []);
  post({ type: 'loaded', source: what, ...shown(run) });
  snapshot(run);
  stopped(run, trainer.step >= trainer.config.steps ? 'done' : 'paused');
  await store(run);
}

async function bench(): Promise<void> {
  run?.stop?.abort();
  await run?.loop;
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

// A run kept from an earlier visit: the page offers to restore it.
loadLastRun().then(
  (stored) => stored && post({ type: 'stored', step: stored.step, source: stored.source, savedAt: stored.savedAt }),
  () => {}, // no IndexedDB here: nothing to offer
);
