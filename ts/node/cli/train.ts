// npm run train -- [options]: trains a model on a text, prints a summary, writes a run directory.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKEND_NAMES, type BackendName } from '../../backend/types.js';
import { makeDataset, trainPairs, valPairs } from '../../data/dataset.js';
import { Vocabulary } from '../../data/vocab.js';
import { INIT_NAMES } from '../../nn/init.js';
import { MODEL_KINDS } from '../../nn/models.js';
import { OPTIMIZER_NAMES } from '../../optim/optimizer.js';
import { SCHEDULES, validateConfig, type TrainConfig } from '../../train/config.js';
import { lossCurveSvg, type LossPoint } from '../../train/loss-svg.js';
import { PRESET_NAMES, PRESETS, type PresetName } from '../../train/presets.js';
import { Trainer, type ActivationStats } from '../../train/trainer.js';
import { Rng } from '../../util/rng.js';
import { writeFileAtomic } from '../atomic.js';
import { loadBackend } from '../backends.js';
import { DEFAULT_DATA, loadText } from '../load-text.js';
import { FILES, loadCheckpoint, readMetrics, saveCheckpoint, writeMetrics, type RunInfo } from '../run-dir.js';
import { choiceFlag, numberFlag, parseFlags, usage, type FlagSpec } from './args.js';
import { Progress, formatSeconds } from './progress.js';
import { CliExit, runCli } from './run-cli.js';

const COMMAND = 'npm run train';
const FLAGS = {
  preset: { type: 'string', value: 'P', help: `start from a preset: ${PRESET_NAMES.join(', ')} (default: default)` },
  model: { type: 'string', value: 'M', help: `${MODEL_KINDS.join(' | ')}` },
  hidden: { type: 'string', value: 'H', help: 'hidden units of the MLP' },
  init: { type: 'string', value: 'I', help: INIT_NAMES.join(' | ') },
  optimizer: { type: 'string', value: 'O', help: OPTIMIZER_NAMES.join(' | ') },
  lr: { type: 'string', value: 'X', help: 'learning rate' },
  schedule: { type: 'string', value: 'S', help: `learning-rate schedule: ${SCHEDULES.join(' | ')}` },
  batch: { type: 'string', value: 'B', help: "positions per step, or 'full' for full-batch gradient descent" },
  steps: { type: 'string', value: 'N', help: 'total optimisation steps (when resuming: the new total)' },
  seed: { type: 'string', value: 'S', help: 'PRNG seed for initialisation and batches' },
  val: { type: 'string', value: 'F', help: 'fraction of the text held out for validation, a contiguous tail (0 = none)' },
  backend: { type: 'string', value: 'B', help: `${BACKEND_NAMES.join(' | ')} (default: wasm-simd)` },
  data: { type: 'string', value: 'FILE', help: `UTF-8 text to train on (default: ${DEFAULT_DATA}, downloaded if missing)` },
  out: { type: 'string', value: 'DIR', help: 'run directory (default: runs/<preset>-<time>/, or the resumed one)' },
  resume: { type: 'string', value: 'DIR', help: 'continue the run saved in DIR, bit-identically' },
  'log-every': { type: 'string', value: 'N', help: 'record the loss in metrics.jsonl every N steps' },
  'save-every': { type: 'string', value: 'N', help: 'write a checkpoint every N steps (default: a tenth of the run)' },
  'sample-length': { type: 'string', value: 'N', help: 'characters to sample at the end (default 300)' },
  json: { type: 'boolean', help: 'print the summary as JSON on stdout' },
  help: { type: 'boolean', help: 'show this help' },
} satisfies Record<string, FlagSpec>;

/** Flags that define the model and its training: fixed once a run has started. */
const RUN_DEFINING = ['preset', 'model', 'hidden', 'init', 'optimizer', 'lr', 'schedule', 'batch', 'seed', 'val', 'log-every'] as const;

interface Summary {
  preset: string;
  model: string;
  backend: BackendName;
  seed: number;
  steps: number;
  batch: number | 'full';
  lr: number;
  optimizer: string;
  init: string;
  initLoss: number | null;
  finalBatchLoss: number | null;
  fullDataLoss: number;
  valLoss: number | null;
  msPerStep: number | null;
  wallSeconds: number;
  activationStats: { init: ActivationStats | null; final: ActivationStats };
}

async function main(): Promise<void> {
  const wallStart = performance.now();
  const flags = parseFlags(process.argv.slice(2), FLAGS, COMMAND);
  if (flags.help) {
    process.stdout.write(usage(COMMAND, 'Trains a next-character model (the notebook\'s perceptron or MLP) and writes a run directory.', FLAGS));
    process.stdout.write(`\npresets:\n${PRESET_NAMES.map((p) => `  ${p.padEnd(16)} ${PRESETS[p].description}`).join('\n')}\n`);
    return;
  }
  const log = (line: string) => process.stderr.write(line + '\n');

  // What to train: a preset with flags on top, or the run being resumed.
  const resumeDir = flags.resume as string | undefined;
  const resumed = resumeDir ? await loadCheckpoint(resumeDir) : null;
  let preset: string;
  let config: TrainConfig;
  if (resumed) {
    const fixed = RUN_DEFINING.filter((f) => flags[f] !== undefined);
    if (fixed.length > 0) {
      throw new CliExit(2, `error: --${fixed[0]} cannot change when resuming: the run in ${resumeDir} was defined by its own settings. Fix: drop --${fixed[0]}, or start a new run without --resume.`);
    }
    preset = resumed.meta.preset;
    config = { ...resumed.meta.config, steps: numberFlag('steps', flags.steps, 'positive-int') ?? resumed.meta.config.steps };
    if (config.steps <= resumed.meta.step) {
      throw new CliExit(1, `error: the run in ${resumeDir} has already done ${resumed.meta.step} of its ${config.steps} steps. Fix: pass --steps with a larger total to train further.`);
    }
  } else {
    preset = choiceFlag('preset', flags.preset, PRESET_NAMES) ?? 'default';
    const base: TrainConfig = PRESETS[preset as PresetName].config;
    const batchRaw = flags.batch as string | undefined;
    config = validateConfig({
      model: choiceFlag('model', flags.model, MODEL_KINDS) ?? base.model,
      hidden: numberFlag('hidden', flags.hidden, 'positive-int') ?? base.hidden,
      init: choiceFlag('init', flags.init, INIT_NAMES) ?? base.init,
      optimizer: choiceFlag('optimizer', flags.optimizer, OPTIMIZER_NAMES) ?? base.optimizer,
      lr: numberFlag('lr', flags.lr, 'positive') ?? base.lr,
      schedule: choiceFlag('schedule', flags.schedule, SCHEDULES) ?? base.schedule,
      batch: batchRaw === 'full' ? 'full' : (numberFlag('batch', batchRaw, 'positive-int') ?? base.batch),
      steps: numberFlag('steps', flags.steps, 'positive-int') ?? base.steps,
      seed: numberFlag('seed', flags.seed, 'int') ?? base.seed,
      valFraction: numberFlag('val', flags.val, 'fraction') ?? base.valFraction,
      logEvery: numberFlag('log-every', flags['log-every'], 'positive-int') ?? base.logEvery,
    });
  }
  const backendName = choiceFlag('backend', flags.backend, BACKEND_NAMES) ?? resumed?.meta.backend ?? 'wasm-simd';
  const saveEvery = numberFlag('save-every', flags['save-every'], 'positive-int') ?? Math.max(1, Math.ceil(config.steps / 10));
  const sampleLength = numberFlag('sample-length', flags['sample-length'], 'positive-int') ?? 300;
  const dataPath = (flags.data as string | undefined) ?? resumed?.meta.data.path ?? DEFAULT_DATA;
  const outDir = (flags.out as string | undefined) ?? resumeDir ?? join('runs', `${preset}-${timestamp()}`);

  const text = await loadText(dataPath, log);
  const data = makeDataset(text, { valFraction: config.valFraction, vocab: resumed ? new Vocabulary(resumed.meta.vocab) : undefined });
  const backend = await loadBackend(backendName, { onFallback: log });
  const trainer = new Trainer(backend, data, config, resumed?.state);
  const meta: RunInfo = {
    preset, config, backend: backend.name, vocab: data.vocab.toJSON(), data: { path: dataPath, characters: data.tokens.length },
    initLoss: resumed?.meta.initLoss ?? null,
    initStats: resumed?.meta.initStats ?? null,
  };
  const split = valPairs(data) > 0 ? `${trainPairs(data).toLocaleString('en-US')} train + ${valPairs(data).toLocaleString('en-US')} validation positions` : `${trainPairs(data).toLocaleString('en-US')} positions`;
  log(`${resumed ? `resuming ${resumeDir} at step ${trainer.step}` : `training ${preset}`}: ${config.model}${config.model === 'mlp' ? ` (hidden ${config.hidden})` : ''}, ${config.init} init, ${config.optimizer} lr ${config.lr}${config.schedule === 'cosine' ? ' cosine' : ''}, batch ${config.batch}, ${config.steps} steps on ${backend.name}; ${data.vocab.size} characters, ${split}`);
  log(`run directory: ${outDir}`);

  await mkdir(outDir, { recursive: true });
  const metrics: LossPoint[] = resumed ? await readMetrics(resumeDir!, trainer.step) : [];
  if (!resumed) {
    meta.initStats = trainer.activationStats();
    await saveCheckpoint(outDir, meta, trainer.state()); // a good checkpoint exists before step 1
  }

  // The notebook prints the loss ten times a run (`epoch % (epochs // 10) == 0`).
  const printEvery = Math.max(1, Math.floor(config.steps / 10));
  const progress = new Progress(trainer.step, config.steps);
  let interrupted = false;
  const onSigint = () => (interrupted = true);
  process.on('SIGINT', onSigint);
  let lastSaved = trainer.step;
  let finalBatchLoss: number | null = null;
  const firstStep = trainer.step;
  const loopStart = performance.now();
  let savingMs = 0;
  let lastYield = loopStart;
  while (trainer.step < config.steps && !interrupted) {
    const step = trainer.step;
    const loss = trainer.trainStep();
    if (!Number.isFinite(loss)) {
      progress.done();
      await writeMetrics(outDir, metrics);
      throw new CliExit(
        3,
        `error: the loss became ${loss} at step ${step} (lr ${trainer.currentLr.toPrecision(3)}): training diverged. ` +
          `Fix: lower the learning rate, e.g. --lr ${(config.lr / 10).toPrecision(2)}. The last good checkpoint (step ${lastSaved}) is in ${outDir}.`,
      );
    }
    if (step === 0) meta.initLoss = loss;
    finalBatchLoss = loss;
    if (step % config.logEvery === 0 || step === config.steps - 1) metrics.push({ step, loss });
    if (step % printEvery === 0) progress.line(`step ${String(step).padStart(String(config.steps).length)}  loss ${loss.toFixed(4)}`);
    progress.update(trainer.step, loss);
    if (performance.now() - lastYield > 100) {
      // Steps are synchronous: let the event loop deliver a Ctrl-C (SIGINT) now and then.
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (trainer.step % saveEvery === 0 && trainer.step < config.steps) {
      const saveStart = performance.now();
      if (await saveIfFinite(trainer, outDir, meta, metrics)) lastSaved = trainer.step;
      savingMs += performance.now() - saveStart;
    }
  }
  const loopMs = performance.now() - loopStart - savingMs; // ms/step counts training, not disk writes
  process.off('SIGINT', onSigint);
  progress.done();
  const stepsRun = trainer.step - firstStep;
  if (!(await saveIfFinite(trainer, outDir, meta, metrics))) {
    throw new CliExit(3, `error: the parameters became NaN or infinite in the last step: training diverged. Fix: lower the learning rate, e.g. --lr ${(config.lr / 10).toPrecision(2)}. The last good checkpoint (step ${lastSaved}) is in ${outDir}.`);
  }
  if (interrupted) {
    throw new CliExit(130, `interrupted at step ${trainer.step}: checkpoint saved. Continue with: ${COMMAND} -- --resume ${outDir}`);
  }

  const summary: Summary = {
    preset,
    model: config.model,
    backend: backend.name,
    seed: config.seed,
    steps: trainer.step,
    batch: config.batch,
    lr: config.lr,
    optimizer: config.optimizer,
    init: config.init,
    initLoss: meta.initLoss,
    finalBatchLoss,
    fullDataLoss: trainer.fullDataLoss(),
    valLoss: trainer.valLoss(),
    msPerStep: stepsRun > 0 ? loopMs / stepsRun : null,
    wallSeconds: (performance.now() - wallStart) / 1000,
    activationStats: { init: meta.initStats, final: trainer.activationStats() },
  };
  const sample = trainer.generate(sampleLength, new Rng(config.seed + 1));
  await writeFileAtomic(join(outDir, FILES.summary), JSON.stringify({ ...summary, sample }, null, 2) + '\n');
  await writeFileAtomic(join(outDir, FILES.lossCurve), lossCurveSvg(metrics, { title: `${preset}: ${config.model}, ${config.optimizer} lr ${config.lr}, batch ${config.batch}`, reference: { value: 2.4526, label: 'bigram optimum on tiny-shakespeare (2.4526)' } }));
  if (flags.json) process.stdout.write(JSON.stringify({ ...summary, sample, runDir: outDir }, null, 2) + '\n');
  else process.stdout.write(formatSummary(summary, sample, outDir, data.tokens.length - 1));
}

/** Writes a checkpoint unless a parameter is NaN/Inf (a diverged update): the last good one stays. */
async function saveIfFinite(trainer: Trainer, dir: string, meta: RunInfo, metrics: LossPoint[]): Promise<boolean> {
  if (!trainer.model.params.every((p) => Number.isFinite(trainer.backend.meanAbs(p.value)))) return false;
  await saveCheckpoint(dir, meta, trainer.state());
  await writeMetrics(dir, metrics);
  return true;
}

function formatSummary(s: Summary, sample: string, dir: string, positions: number): string {
  const fmt = (x: number | null, digits = 4) => (x === null ? '—' : x.toFixed(digits));
  const stats = (a: ActivationStats | null) =>
    a === null ? '—' : `input ${a.input.toFixed(4)}  hidden ${a.hidden === null ? '—' : a.hidden.toFixed(4)}  output ${a.output.toFixed(4)}  softmax ${a.softmax.toFixed(4)} (mean max p ${a.softmaxMax.toFixed(3)})`;
  const rows: [string, string][] = [
    ['preset', `${s.preset}: ${s.model}, ${s.init} init, ${s.optimizer} lr ${s.lr}, batch ${s.batch}, seed ${s.seed}`],
    ['backend', s.backend],
    ['steps', String(s.steps)],
    ['initial loss', fmt(s.initLoss)],
    ['final batch loss', fmt(s.finalBatchLoss)],
    ['full-data loss', `${fmt(s.fullDataLoss)} (all ${positions.toLocaleString('en-US')} positions; bigram optimum 2.4526)`],
    ['validation loss', fmt(s.valLoss)],
    ['ms/step', s.msPerStep === null ? '—' : s.msPerStep.toFixed(3)],
    ['wall time', formatSeconds(s.wallSeconds)],
    ['mean |x| at init', stats(s.activationStats.init)],
    ['mean |x| at end', stats(s.activationStats.final)],
    ['run directory', dir],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n\nsample:\n${sample}\n`;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

runCli(main);
